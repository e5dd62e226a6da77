/**
 * Whether a regular expression from a tenant's definition is safe to run: short, no
 * backreferences or lookarounds, and no quantified group that itself contains a quantifier or an
 * alternation (`(a+)+`, `(a|a)*`: the shapes whose backtracking grows exponentially).
 */
export function isSafePattern(pattern: string): boolean {
  if (pattern.length > 200) return false;
  if (/\\[1-9]|\\k<|\(\?[=!<]/.test(pattern)) return false;
  try {
    new RegExp(pattern, 'u');
  } catch {
    return false;
  }
  // Walk groups: a group whose body has a quantifier or `|`, followed by a quantifier, is refused.
  const stack: Array<{ risky: boolean }> = [];
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index]!;
    if (char === '\\') {
      index += 1;
      continue;
    }
    if (char === '[') {
      const end = pattern.indexOf(']', index + 1);
      index = end < 0 ? pattern.length : end;
      continue;
    }
    if (char === '(') stack.push({ risky: false });
    else if (char === ')') {
      const group = stack.pop();
      const next = pattern[index + 1];
      const quantified = next === '*' || next === '+' || next === '?' || next === '{';
      if (group?.risky && quantified && next !== '?') return false;
      if (group?.risky && stack.length > 0) stack[stack.length - 1]!.risky = true;
      if (quantified && stack.length > 0) stack[stack.length - 1]!.risky = true;
    } else if (char === '*' || char === '+' || char === '{' || char === '|') {
      if (stack.length > 0) stack[stack.length - 1]!.risky = true;
    }
  }
  return true;
}
