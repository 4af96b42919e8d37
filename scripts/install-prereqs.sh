#!/usr/bin/env bash
# Installs what building Carousel needs on a fresh Debian/Ubuntu machine (JDK 17, Maven), only
# when missing. Sourced by scripts/quickstart.sh and .ci/run.
if ! command -v javac >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "carousel: needs Java 17 (javac) and Maven 3.8 (mvn) on the PATH; install them first" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends openjdk-17-jdk-headless maven
fi
# The report test opens a page in headless Chromium.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends chromium
  else
    echo "carousel: the tests need Chromium (Debian package chromium); install it first" >&2
    exit 2
  fi
fi
