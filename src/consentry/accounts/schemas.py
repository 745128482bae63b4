"""Sign-in shapes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SetupIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=200)
    password: str = Field(min_length=1, max_length=1000)


class SetupOut(BaseModel):
    email: str
    role: str
    totp_uri: str | None = Field(
        description="Add to an authenticator app; sign-in then needs its code."
    )


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1000)
    code: str | None = Field(default=None, max_length=10, description="TOTP code.")


class Me(BaseModel):
    email: str
    role: str
    csrf_token: str = Field(description="Send as X-CSRF-Token with every change.")
