"""ctest's entry to the pytest suite: exits 77 (ctest's skip) with a
message when numpy or pytest is missing, else runs pytest on tests/.
    run_tests.py <libgan.so> <gan.h> <C compiler>"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

try:
    import numpy  # noqa: F401
    import pytest
except ImportError as e:
    print("SKIP: the Python binding's tests need python3-numpy and python3-pytest "
          "(bash cmake/deps.sh installs them): %s" % e)
    sys.exit(77)

if len(sys.argv) > 1:
    os.environ["LIBGAN_LIBRARY"] = sys.argv[1]
if len(sys.argv) > 2:
    os.environ["LIBGAN_HEADER"] = sys.argv[2]
if len(sys.argv) > 3:
    os.environ["CC"] = sys.argv[3]
sys.path.insert(0, HERE)
# No cache folder in the source tree; -x would hide later failures.
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", os.path.join(HERE, "tests")]))
