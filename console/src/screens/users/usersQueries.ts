import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, unwrap } from '../../api/client';
import type { RequestBody, ResponseBody } from '../../api/types';
import type { Role } from '../../session/roles';

/** One user as `GET /v1/users` lists it. */
export type ListedUser = ResponseBody<'/v1/users', 'get'>['data'][number];
export type UserStatus = ListedUser['status'];
export type UserChange = RequestBody<'/v1/users/{id}', 'patch'>;

/** Roles from least to most powerful, as the API's access table ranks them. */
export const ROLES = ['viewer', 'member', 'manager', 'admin'] as const satisfies readonly Role[];
export const USER_STATUSES = ['invited', 'active', 'suspended'] as const satisfies readonly UserStatus[];
export const USERS_PAGE_SIZE = 25;

/** What the table shows: one page of the server's filtered, searched list. */
export interface UsersFilter {
  page: number;
  q: string;
  role?: Role;
  status?: UserStatus;
}

const USERS_KEY = ['users'] as const;
const pageKey = (filter: UsersFilter) => [...USERS_KEY, 'page', filter] as const;

function fetchPage(filter: UsersFilter) {
  return unwrap(
    api.GET('/v1/users', {
      params: { query: { page: filter.page, limit: USERS_PAGE_SIZE, q: filter.q || undefined, role: filter.role, status: filter.status } },
    }),
  );
}

/**
 * A page of users. The previous page stays on screen while the next loads (no flash of an empty
 * table), and the following page is fetched ahead so "Next page" usually answers from the cache.
 */
export function useUsersPage(filter: UsersFilter) {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: pageKey(filter), queryFn: () => fetchPage(filter), placeholderData: keepPreviousData });
  const totalPages = query.data?.pagination.totalPages ?? 0;
  useEffect(() => {
    if (query.isPlaceholderData || filter.page >= totalPages) return;
    const next = { ...filter, page: filter.page + 1 };
    void queryClient.prefetchQuery({ queryKey: pageKey(next), queryFn: () => fetchPage(next) });
  }, [filter, totalPages, query.isPlaceholderData, queryClient]);
  return query;
}

/** Marks every cached users page stale (after an invite, a change, an import). */
export function useRefreshUsers() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: USERS_KEY });
}

export function useChangeUser() {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: ({ user, change }: { user: ListedUser; change: UserChange }) =>
      unwrap(api.PATCH('/v1/users/{id}', { params: { path: { id: user.id } }, body: change })),
    onSettled: refresh,
  });
}

export function useRemoveUser() {
  const refresh = useRefreshUsers();
  return useMutation({
    mutationFn: (user: ListedUser) => unwrap(api.DELETE('/v1/users/{id}', { params: { path: { id: user.id } } })),
    onSuccess: refresh,
  });
}

export function useSendInvitation() {
  return useMutation({
    mutationFn: (userId: string) => unwrap(api.POST('/v1/users/{id}/invitation', { params: { path: { id: userId } } })),
  });
}
