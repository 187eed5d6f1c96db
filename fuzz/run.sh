#!/usr/bin/env bash
# Build the fuzz targets with cargo-afl and fuzz each for SECONDS (default 20), from the seed
# corpus in seeds/TARGET, into OUT/TARGET (default /tmp/backscratch-fuzz). Fails when a
# target saved a crash or a hang, printing it; prints each target's executions and coverage.
#   fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-20}"; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(csv parquet linkedin baseline wire)
out="${FUZZ_OUT:-/tmp/backscratch-fuzz}"
command -v cargo-afl >/dev/null || cargo install --locked cargo-afl --version 0.18.2
# AFL++'s LLVM runtime for this rustc: built once (it is kept under ~/.local/share/afl.rs).
cargo afl config --build >/dev/null 2>&1 || true
cargo afl build --release --locked
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_QUIET=1
status=0
for t in "${targets[@]}"; do
  rm -rf "$out/$t"; mkdir -p "$out"
  # A hang is an input over 5 s: the readers' byte budgets (1 GiB of copied cells, like gzip's) let a
  # 2 KB Parquet file take up to about 2 s instrumented, bounded, which AFL's 20 ms default calls a hang.
  cargo afl fuzz -t 5000 -i "seeds/$t" -o "$out/$t" -V "$seconds" "target/release/$t" >"$out/$t.log" 2>&1 || {
    echo "fuzz $t: afl-fuzz failed"; tail -20 "$out/$t.log"; status=1; continue; }
  stats="$out/$t/default/fuzzer_stats"
  get() { sed -n "s/^$1 *: *//p" "$stats"; }
  echo "fuzz $t: $(get execs_done) executions in $(get run_time) s, coverage $(get bitmap_cvg) of the map," \
       "$(get corpus_count) inputs in the corpus, $(get saved_crashes) crashes, $(get saved_hangs) hangs"
  if [ "$(get saved_crashes)" != 0 ] || [ "$(get saved_hangs)" != 0 ]; then
    ls "$out/$t/default/crashes" "$out/$t/default/hangs"; status=1
  fi
done
exit $status
