#!/bin/sh
# run-tests.sh BUILD_DIR TEST_BINARY...: runs each Criterion binary, then prints
# one closing line "tests: N passed, N failed" over all of them. Exits non-zero
# when any binary fails or crashes. Lines a test prints as "figures: ..." (measured
# numbers worth quoting) are shown too.
set -u
b=$1
shift
# The process tests run the binary of this build; LeakSanitizer ignores the
# test runner's own allocations.
export ARTICLED_BIN="$b/articled"
export ARTICLED_CRASHTEST="$b/tests/crash/crashtest"
export LSAN_OPTIONS="suppressions=$(pwd)/tools/lsan.supp:print_suppressions=0"
passed=0
failed=0
status=0
for t in "$@"; do
    out=$("$t" --jobs 2 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -v '^\[----\]' | tail -n 20 | grep -v '^$' | sed "s|^|$(basename "$t"): |" | grep -E 'FAIL|Synthesis|CRASH|ERROR|warning|error|Assertion|: figures: ' || true
    syn=$(printf '%s\n' "$out" | grep 'Synthesis:' | tail -n 1)
    p=$(printf '%s' "$syn" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
    f=$(printf '%s' "$syn" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
    c=$(printf '%s' "$syn" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0} + ${c:-0}))
    # Leaks are reported when a forked test exits, after Criterion counted it:
    # any sanitizer report fails the run.
    if printf '%s\n' "$out" | grep -qE 'ERROR: (Leak|Address)Sanitizer|runtime error:'; then
        printf '%s\n' "$out" | grep -A12 -E 'ERROR: (Leak|Address)Sanitizer|runtime error:' | head -n 40
        failed=$((failed + 1))
        status=1
    fi
    if [ "$rc" -ne 0 ] || [ -z "$syn" ]; then
        status=1
        [ -z "$syn" ] && { failed=$((failed + 1)); printf '%s\n' "$out" | tail -n 30; }
        # what each failed assertion said, so that a CI log tells why
        printf '%s\n' "$out" | grep -A6 '^\[----\] .*Assertion Failed' | head -n 60 |
            sed "s|^|$(basename "$t"): |" || true
    fi
done
echo "$b: $passed passed, $failed failed"
exit $status
