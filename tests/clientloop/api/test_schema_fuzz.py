"""Schema fuzzing (schemathesis, pinned) against /openapi.json as an admin and as an RM: no 500s, every
status documented, every response in its documented shape, on SQLite and PostgreSQL.

Excluded are the checks that expect any schema-valid request to succeed and any other to fail
(`positive_data_acceptance`, `negative_data_rejection`, `unsupported_method`): clientloop refuses
schema-valid requests on purpose (a disabled engine, an If-Match that is not an ETag, a missing
upload) with a documented 4xx.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance, unsupported_method

from clientloop.api import create_app
from tests.factories import make_client, make_user

EXCLUDED = [positive_data_acceptance, negative_data_rejection, unsupported_method]


@pytest.mark.parametrize("role", ["admin", "rm"])
def test_the_api_keeps_its_documented_contract(container, role) -> None:
    make_client(container)
    _user, key = make_user(container, "fuzz", role)
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(container))
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:

        @settings(max_examples=10, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, excluded_checks=EXCLUDED)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc).splitlines()[0][:300]}")
    assert failures == [], "\n".join(failures)
