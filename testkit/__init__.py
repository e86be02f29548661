"""Code shared by the tests (tests/) and the benchmarks (bench/): a real Streamlit server and headless
Chromium (``testkit.browser``), waits that fail naming what they waited for (``testkit.waits``), and the
crafted inputs of issue 9 measured in a capped child process (``testkit.limits``).

Both import it as a package from the repository root (pytest.ini's ``pythonpath``; ``python -m bench.…``),
so neither puts the other's folder on ``sys.path``. Nothing in model/, ui/ or workshop/ may import it
(a contract in .importlinter).
"""
