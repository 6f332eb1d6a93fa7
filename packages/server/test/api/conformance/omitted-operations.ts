/**
 * The operations of KFP's v2beta1 swagger that Cairn does not serve, each with the reason. The
 * conformance test fails when one of them is served after all, so this table cannot go stale.
 */
export const OMITTED_OPERATIONS: Readonly<Record<string, string>> = {
  AuthService_Authorize:
    "KFP's multi-user authorization check against Kubernetes RBAC (SubjectAccessReview); Cairn has no " +
    'users or namespaces to authorize, and its healthz reports multi_user false',
  DummyFilterService_GetFilter:
    "a dummy service that KFP's filter.proto declares only so that grpc-gateway writes the Filter message " +
    "into the swagger; KFP's API server registers no handler for it",
  ReportService_ReportWorkflow:
    "the callback of KFP's persistence agent, which copies Argo Workflow status into KFP's database; " +
    "Cairn's engine records run and task state itself, in the same transactions that change it",
  ReportService_ReportScheduledWorkflow:
    "the persistence agent's callback for KFP's ScheduledWorkflow custom resources; Cairn's recurring " +
    'runs live in its database and fire from its own ticker',
  VisualizationService_CreateVisualizationV1:
    "a proxy to KFP's Python visualization server (TFX/TFMA notebooks rendered to HTML), which Cairn " +
    'does not run',
};
