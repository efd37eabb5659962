"""The FastAPI peer make bench measures the C service against: every endpoint
of docs/spec.md, written the way a FastAPI user would (FastAPI + uvicorn, as
the service's Python predecessors ran on ECS). It gives the same status codes
and success bodies; Debian 12's FastAPI 0.92 (pydantic 1) has an older 422
body, which the benchmark does not measure.

    python3 -m uvicorn peer_fastapi:app --app-dir bench --host 127.0.0.1 --port 8000

Debian's python3-fastapi and python3-uvicorn (make deps) are all it needs.
"""
import os
from typing import List, Optional

from fastapi import FastAPI, Query
from fastapi.responses import PlainTextResponse

app = FastAPI(title="math-service")
ENVIRONMENT = os.environ.get("EXECUTION_ENVIRONMENT") or "ecs"
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@app.get("/")
async def health():
    return {"status": "OK"}


@app.get("/math/add", response_class=PlainTextResponse)
async def add(i: Optional[List[int]] = Query(default=[])):
    return str(sum(i))


@app.get("/ping")
async def ping():
    return {"Success": "Pong!"}


@app.api_route("/api/v1/users/", methods=ANY_METHOD)
async def users():
    return {"Success": "All users!"}


@app.api_route("/api/v1/users/{user_id}", methods=ANY_METHOD)
async def user(user_id: str):
    return {"Success": "This is one user!"}


@app.get("/items/{item_id}")
async def item(item_id: int, q: Optional[str] = None):
    return {"item_id": item_id, "q": q}


@app.get("/hello")
async def hello() -> str:
    return f"Hello from {ENVIRONMENT}"
