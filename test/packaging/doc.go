// Package packaging tests the shipped install manifests (deploy/ and charts/irsa-guard) against the real tools
// and a real API server: kustomize and Helm render the same webhooks and RBAC, both pass server-side dry-run, the
// chart lints and its values schema is strict, and the webhooks' matchConditions send exactly the requests they
// should. The tests carry the e2e build tag and need KUBEBUILDER_ASSETS, HELM and KUSTOMIZE (`make test`).
package packaging
