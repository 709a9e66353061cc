# syntax=docker/dockerfile:1
# Build: docker build --build-arg VERSION=v0.1.0 -t ghcr.io/irsa-guard/irsa-guard:v0.1.0 .

FROM golang:1.26 AS builder
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
WORKDIR /src

# Dependencies first, so source edits do not invalidate the module download layer.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download

COPY cmd/ cmd/
COPY internal/ internal/
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS:-linux} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /webhook ./cmd/webhook

# distroless/static: no shell, no package manager, CA certificates for IAM and STS, a non-root user.
FROM gcr.io/distroless/static:nonroot
COPY --from=builder /webhook /webhook
USER 65532:65532
ENTRYPOINT ["/webhook"]
