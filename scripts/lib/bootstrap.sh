# Sourced by scripts/demo and scripts/test: makes a fresh machine ready, idempotently.
# - Debian packages for the real services (as root, only when a command is missing)
# - pnpm, pinned by package.json's packageManager
# - dependencies, then a build of every package
set -euo pipefail

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_system_packages() {
  local -A needed=(
    [docker-registry]=docker-registry [htpasswd]=apache2-utils [dockerd]=docker.io [docker]=docker.io
    [skopeo]=skopeo [umoci]=umoci [busybox]=busybox-static
  )
  local missing=()
  for command in "${!needed[@]}"; do
    command -v "$command" >/dev/null 2>&1 || missing+=("${needed[$command]}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local packages
  packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing system packages: $packages- install them (as root: apt-get install -y $packages)" >&2
    exit 1
  fi
  log "Installing Debian packages: $packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null
}

ensure_pnpm() {
  local wanted
  wanted=$(node -p "require('./package.json').packageManager.split('@')[1]")
  if [ "$(pnpm --version 2>/dev/null || true)" != "$wanted" ]; then
    log "Installing pnpm $wanted"
    # corepack's signature check fails on some machines; npm is reliable.
    npm install --global --silent "pnpm@$wanted" >/dev/null
  fi
}

bootstrap() {
  cd "$(dirname "${BASH_SOURCE[0]}")/../.."
  local major minor
  IFS=. read -r major minor _ <<<"$(node --version | tr -d v)"
  if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
    echo "registrykit needs Node.js >= 20.19; this is $(node --version)." >&2
    exit 1
  fi
  ensure_system_packages
  ensure_pnpm
  log "Installing dependencies"
  if [ "${CI:-}" = "true" ]; then pnpm install --frozen-lockfile --reporter=silent; else pnpm install --reporter=silent; fi
  log "Building"
  local build_log
  build_log=$(mktemp)
  if ! TURBO_TELEMETRY_DISABLED=1 pnpm --silent build --output-logs=errors-only >"$build_log" 2>&1; then
    cat "$build_log" >&2
    rm -f "$build_log"
    exit 1
  fi
  rm -f "$build_log"
}
