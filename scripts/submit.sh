#!/usr/bin/env bash
# spark-submit for Carousel's jar, with what every run needs: the Java 17 flags on driver and
# executors, one native (OpenMP) thread per executor task, ND4J off-heap limits, Kryo.
#   scripts/submit.sh [spark-submit options...] -- <prep|train|eval|generate> [job options...]
# e.g. scripts/submit.sh --master spark://host:7077 --executor-memory 4g -- train --data hdfs:///d --output hdfs:///m
# Environment: SPARK_SUBMIT (default: spark-submit on the PATH), CAROUSEL_JAR (default: the
# build's jobs/target/carousel-jobs-*-spark.jar), CAROUSEL_OFFHEAP (ND4J off-heap bytes per JVM,
# default 4G).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/java17-opens.sh"
submit="${SPARK_SUBMIT:-spark-submit}"
jar="${CAROUSEL_JAR:-$(ls "$root"/jobs/target/carousel-jobs-*-spark.jar 2>/dev/null | head -n 1 || true)}"
[ -n "$jar" ] && [ -f "$jar" ] || { echo "submit.sh: no Carousel jar; build with: mvn -B -q -DskipTests package" >&2; exit 2; }
offheap="${CAROUSEL_OFFHEAP:-4G}"
spark_args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do spark_args+=("$1"); shift; done
[ $# -gt 0 ] || { echo "usage: submit.sh [spark-submit options...] -- <job> [job options...]" >&2; exit 2; }
shift
# ND4J keeps arrays off-heap; javacpp's limits bound it (maxphysicalbytes covers heap + off-heap).
jvm="${JAVA17_OPENS[*]} -Dorg.bytedeco.javacpp.maxbytes=$offheap -Dorg.bytedeco.javacpp.maxphysicalbytes=0"
exec "$submit" "${spark_args[@]}" \
  --class org.carousel.jobs.Cli \
  --conf "spark.driver.extraJavaOptions=$jvm" \
  --conf "spark.executor.extraJavaOptions=$jvm" \
  --conf spark.executorEnv.OMP_NUM_THREADS=1 \
  --conf spark.serializer=org.apache.spark.serializer.KryoSerializer \
  --conf spark.kryo.registrator=org.carousel.spark.CarouselKryoRegistrator \
  "$jar" "$@"
