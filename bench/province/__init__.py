"""Province scale (issue 13): generate a province into PostgreSQL, then time every page of
the issue's table through gunicorn next to the bare SQL that answers the same question.

    .venv/bin/python bench/province.py load --db postgres://postgres@127.0.0.1:55432/province_x --scale 0.05
    .venv/bin/python bench/province.py run --db postgres://postgres@127.0.0.1:55432/province_x [--district 410102]
    .venv/bin/python bench/province.py sqlite [--projects 2000 --problems 50000]

`load` migrates an empty database with Django's migrations, COPYs the generated rows
(bench/province/gen.py) into the real models' tables, rebuilds the indexes it dropped for
the load, resets the sequences and ANALYZEs. `run` starts `gunicorn taizhang.wsgi -w 2`
(DEBUG off) on a free port, signs in through the login form (HTML pages, exports) and
with API tokens issued in the database (API), and times each case sequentially (2 warm-ups,
then N runs), printing p50, p95, the bare SQL's p50 and the ratio. `sqlite` builds one big
district in a throw-away SQLite file and times every list in-process (django.test.Client).
A 500 or a timeout is recorded, never fatal. See docs/province.md.
"""
