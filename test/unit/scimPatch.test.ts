import { parseScimFilter, ScimFilterError } from '../../platform/scim/scimFilter';
import { filterToSql } from '../../platform/scim/scimFilterSql';
import { applyPatch, ScimPatchError } from '../../platform/scim/scimPatch';
import { GROUP_PATCH_RESOURCE } from '../../platform/scim/scimGroupDocument';
import { USER_PATCH_RESOURCE } from '../../platform/scim/scimUserDocument';
import { USER_FILTER_COLUMNS } from '../../api/scim/scimUserFilter';

const user = {
  userName: 'ada@example.test',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  emails: [{ value: 'ada@example.test', type: 'work', primary: true }],
  active: true,
};

describe('SCIM filters', () => {
  it('parses precedence (and before or), not, value paths and literals', () => {
    expect(parseScimFilter('userName eq "a" or externalId eq "b" and active eq true')).toEqual({
      kind: 'logical',
      operator: 'or',
      left: { kind: 'compare', path: 'userName', operator: 'eq', value: 'a' },
      right: {
        kind: 'logical',
        operator: 'and',
        left: { kind: 'compare', path: 'externalId', operator: 'eq', value: 'b' },
        right: { kind: 'compare', path: 'active', operator: 'eq', value: true },
      },
    });
    expect(parseScimFilter('not (emails[type eq "work"]) and title pr')).toMatchObject({
      left: { kind: 'not', filter: { kind: 'valuePath', path: 'emails' } },
      right: { kind: 'present', path: 'title' },
    });
    expect(parseScimFilter('userName EQ "quote \\" inside"')).toMatchObject({ operator: 'eq', value: 'quote " inside' });
  });

  it('refuses malformed filters', () => {
    for (const bad of ['userName eq', 'userName like "a"', '(userName eq "a"', 'userName eq "a" extra', 'eq "a"', 'userName eq "unterminated']) {
      expect(() => parseScimFilter(bad)).toThrow(ScimFilterError);
    }
  });

  it('binds values (never splices them into SQL) and refuses attributes it does not know', () => {
    const sql = filterToSql(parseScimFilter(`userName eq "x' or 1=1 --"`), USER_FILTER_COLUMNS);
    expect(sql.sql).toBe('(lower(su.user_name) = ?)');
    expect(sql.bindings).toEqual(["x' or 1=1 --"]);
    expect(filterToSql(parseScimFilter('emails[type eq "work"]'), USER_FILTER_COLUMNS).sql).toContain('exists (select 1 from jsonb_array_elements');
    expect(() => filterToSql(parseScimFilter('password eq "x"'), USER_FILTER_COLUMNS)).toThrow(ScimFilterError);
    expect(() => filterToSql(parseScimFilter('meta.created gt "not a date"'), USER_FILTER_COLUMNS)).toThrow(ScimFilterError);
  });
});

describe('SCIM PATCH', () => {
  it('Okta: replace with a value object and no path; Entra ID: capitalised ops and string booleans', () => {
    expect(applyPatch(USER_PATCH_RESOURCE, user, [{ op: 'replace', value: { active: false } }]).active).toBe(false);
    expect(applyPatch(USER_PATCH_RESOURCE, user, [{ op: 'Replace', path: 'active', value: 'False' }]).active).toBe(false);
    expect(applyPatch(USER_PATCH_RESOURCE, user, [{ op: 'Replace', path: 'ACTIVE', value: 'True' }]).active).toBe(true);
    expect(() => applyPatch(USER_PATCH_RESOURCE, user, [{ op: 'replace', path: 'active', value: 'maybe' }])).toThrow(ScimPatchError);
  });

  it('sub-attributes, filtered paths, schema-qualified paths and ignored extension attributes', () => {
    const patched = applyPatch(USER_PATCH_RESOURCE, user, [
      { op: 'replace', path: 'name.givenName', value: 'Augusta' },
      { op: 'add', path: 'emails[type eq "home"].value', value: 'ada@home.test' },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'ada@work.test' },
      { op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:displayName', value: 'Ada L.' },
      { op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Maths' },
      { op: 'add', value: { title: 'Countess', 'name.familyName': 'King' } },
    ]);
    expect(patched).toEqual({
      userName: 'ada@example.test',
      name: { givenName: 'Augusta', familyName: 'King' },
      displayName: 'Ada L.',
      emails: [
        { value: 'ada@work.test', type: 'work', primary: true },
        { type: 'home', value: 'ada@home.test' },
      ],
      active: true,
    });
    // The input document is left as it was.
    expect(user.name.givenName).toBe('Ada');
  });

  it('remove: a filtered element, a sub-attribute; needs a path; refuses required attributes', () => {
    expect(applyPatch(USER_PATCH_RESOURCE, user, [{ op: 'remove', path: 'emails[type eq "work"]' }]).emails).toEqual([]);
    expect(applyPatch(USER_PATCH_RESOURCE, user, [{ op: 'remove', path: 'name.familyName' }]).name).toEqual({ givenName: 'Ada' });
    expect(() => applyPatch(USER_PATCH_RESOURCE, user, [{ op: 'remove' }])).toThrow(expect.objectContaining({ scimType: 'noTarget' }));
    expect(() => applyPatch(USER_PATCH_RESOURCE, user, [{ op: 'remove', path: 'userName' }])).toThrow(expect.objectContaining({ scimType: 'mutability' }));
    expect(() => applyPatch(USER_PATCH_RESOURCE, user, [{ op: 'copy', path: 'userName' }])).toThrow(expect.objectContaining({ scimType: 'invalidSyntax' }));
  });

  it('group members: add without duplicates, remove by filter (Okta) and by a value list (Entra ID)', () => {
    const group = { displayName: 'Admins', members: [{ value: 'u1' }] };
    const added = applyPatch(GROUP_PATCH_RESOURCE, group, [{ op: 'add', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }, { value: 'u3' }] }]);
    expect(added.members).toEqual([{ value: 'u1' }, { value: 'u2' }, { value: 'u3' }]);
    const okta = applyPatch(GROUP_PATCH_RESOURCE, added, [{ op: 'remove', path: 'members[value eq "u2"]' }]);
    expect(okta.members).toEqual([{ value: 'u1' }, { value: 'u3' }]);
    const entra = applyPatch(GROUP_PATCH_RESOURCE, added, [{ op: 'Remove', path: 'members', value: [{ value: 'u1' }, { value: 'u3' }] }]);
    expect(entra.members).toEqual([{ value: 'u2' }]);
    expect(applyPatch(GROUP_PATCH_RESOURCE, added, [{ op: 'replace', path: 'members', value: [] }]).members).toEqual([]);
  });
});
