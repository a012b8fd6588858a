# Runs every test_*.py in a folder with unittest (verbose) and writes "PASSED FAILED" test counts for run.sh's summary.

import sys
import unittest


def main(folder, counts_path):
    loader = unittest.TestLoader()
    # A file that does not import is reported by discovery as a failing test of its own.
    suite = loader.discover(start_dir=folder, pattern="test_*.py", top_level_dir=folder)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    # A failing subTest is reported on its own; count the test it belongs to, once. A failing
    # setUpClass is reported as a holder that is not a test and was not counted in testsRun.
    failures = [getattr(test, "test_case", test) for test, _ in result.failures + result.errors]
    failures += list(result.unexpectedSuccesses)
    failed_ids = {test.id() for test in failures}
    failed_run = {test.id() for test in failures if isinstance(test, unittest.TestCase)}
    # The project leaves no skipped test behind: a check that cannot run here fails, saying why.
    for test, reason in result.skipped:
        print(f"skipped, counted as failed: {test.id()}: {reason}", file=sys.stderr)
    skipped_ids = {test.id() for test, _ in result.skipped}
    failed = len(failed_ids | skipped_ids)
    passed = result.testsRun - len(failed_run | skipped_ids)
    if result.testsRun == 0:
        print("no cross-client tests were found", file=sys.stderr)
        failed = 1
    with open(counts_path, "w", encoding="utf-8") as out:
        out.write(f"{passed} {failed}\n")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
