import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { ConsoleShell } from './shell/ConsoleShell';
import { useSessionState } from './session/SessionProvider';
import { SignInPage } from './session/SignInPage';

/** Each screen is its own chunk: the first screen loads only what it shows (bench/consoleSpeed). */
const screen = (load: () => Promise<{ default: ComponentType }>): LazyExoticComponent<ComponentType> => lazy(load);

let loadedDashboard: ComponentType | undefined;
const loadDashboard = () =>
  import('./screens/dashboard/DashboardPage').then((module) => {
    loadedDashboard = module.default;
    return module;
  });
// The index screen is what most visits show first: its chunk loads alongside the session check, not after it.
if (/^\/console\/?$/.test(window.location.pathname)) void loadDashboard();
const LazyDashboardPage = screen(loadDashboard);
/** Once its chunk is in, the dashboard renders at once: a lazy component suspends on first use, and React holds a revealed fallback for 300 ms. */
function DashboardPage() {
  const Loaded = loadedDashboard;
  return Loaded ? <Loaded /> : <LazyDashboardPage />;
}
const UsersPage = screen(() => import('./screens/users/UsersPage'));
const IntegrationsPage = screen(() => import('./screens/integrations/IntegrationsPage'));
const IntegrationPage = screen(() => import('./screens/integrations/IntegrationPage'));
const JobsPage = screen(() => import('./screens/jobs/JobsPage'));
const WebhooksPage = screen(() => import('./screens/webhooks/WebhooksPage'));
const ApiKeysPage = screen(() => import('./screens/apiKeys/ApiKeysPage'));
const AuditLogPage = screen(() => import('./screens/audit/AuditLogPage'));
const ProvisioningPage = screen(() => import('./screens/provisioning/ProvisioningPage'));
const IdentityPage = screen(() => import('./screens/identity/IdentityPage'));
const InvoicesPage = screen(() => import('./screens/invoices/InvoicesPage'));
const SettingsPage = screen(() => import('./screens/settings/SettingsPage'));
const BrandingPage = screen(() => import('./screens/branding/BrandingPage'));
const OperatorPage = screen(() => import('./screens/operator/OperatorPage'));
const AcceptInvitePage = screen(() => import('./session/AcceptInvitePage'));
const ForgotPasswordPage = screen(() => import('./session/ForgotPasswordPage'));
const ResetPasswordPage = screen(() => import('./session/ResetPasswordPage'));
const MfaEnrolmentPage = screen(() => import('./session/MfaEnrolmentPage'));
const AccountPage = screen(() => import('./session/AccountPage'));

function Loading() {
  return (
    <Center h="60vh" aria-busy="true">
      <Loader aria-label="Loading" />
    </Center>
  );
}

/** Screens behind sign-in: no session → the sign-in page (which brings the user back here after). */
function RequireSession({ children }: { children: React.ReactNode }) {
  const { current } = useSessionState();
  const location = useLocation();
  if (current === undefined) return <Loading />;
  if (current === null) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  if (current.session.mfaPending && location.pathname !== '/mfa/enrol') return <Navigate to="/mfa/enrol" replace />;
  return <>{children}</>;
}

/** The console's pages, under /console. */
export function ConsoleRoutes() {
  return (
    <BrowserRouter basename="/console">
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/sign-in" element={<SignInPage />} />
          <Route path="/invite" element={<AcceptInvitePage />} />
          <Route path="/forgot-password" element={<ForgotPasswordPage />} />
          <Route path="/reset-password" element={<ResetPasswordPage />} />
          <Route
            path="/mfa/enrol"
            element={
              <RequireSession>
                <MfaEnrolmentPage />
              </RequireSession>
            }
          />
          <Route path="/operator/*" element={<OperatorPage />} />
          <Route
            element={
              <RequireSession>
                <ConsoleShell />
              </RequireSession>
            }
          >
            <Route index element={<DashboardPage />} />
            <Route path="users" element={<UsersPage />} />
            <Route path="integrations" element={<IntegrationsPage />} />
            <Route path="integrations/:connectorId" element={<IntegrationPage />} />
            <Route path="jobs" element={<JobsPage />} />
            <Route path="webhooks" element={<WebhooksPage />} />
            <Route path="api-keys" element={<ApiKeysPage />} />
            <Route path="audit" element={<AuditLogPage />} />
            <Route path="provisioning" element={<ProvisioningPage />} />
            <Route path="identity" element={<IdentityPage />} />
            <Route path="invoices" element={<InvoicesPage />} />
            <Route path="settings" element={<SettingsPage />} />
            <Route path="branding" element={<BrandingPage />} />
            <Route path="account" element={<AccountPage />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Route>
        </Routes>
      </Suspense>
    </BrowserRouter>
  );
}
