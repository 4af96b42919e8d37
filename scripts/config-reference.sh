#!/usr/bin/env bash
# Rewrites docs/configuration.md from conf/carousel.conf (its comments are the reference).
# Build once first: mvn -B -q -DskipTests package
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jar=$(ls lib/target/carousel-lib-*.jar | grep -v -- '-tests\.jar$' | head -n 1)
exec java -cp "$jar:$(cat jobs/target/classpath.txt)" org.carousel.config.ConfigReference conf/carousel.conf docs/configuration.md
