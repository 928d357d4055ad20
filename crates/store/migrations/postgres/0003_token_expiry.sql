-- API tokens may expire; NULL means the token is valid until revoked.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
CREATE INDEX api_tokens_user ON api_tokens (user_address);
