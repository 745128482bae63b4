from fastapi.testclient import TestClient


def test_healthz_answers_and_touches_the_database(shared_client: TestClient) -> None:
    response = shared_client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_unknown_routes_answer_problem_json(shared_client: TestClient) -> None:
    response = shared_client.get("/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404
    assert body["title"] == "Not Found"
    assert body["type"].startswith("/problems/")
