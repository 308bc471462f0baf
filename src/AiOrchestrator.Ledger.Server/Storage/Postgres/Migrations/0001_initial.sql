-- The ledger's tables. Amounts are numeric without a declared scale, so a .NET decimal is kept exactly as written.
-- Times are UTC ticks (bigint, 100 ns since 0001-01-01) so a DateTimeOffset comes back to the tick.
-- Enumerations are lowercase text; lists of wallet ids are text[].

CREATE TABLE organisations (
    id          text    PRIMARY KEY,
    name        text,
    created_at  bigint  NOT NULL
);

-- The last transaction sequence of each organisation. Writing transactions takes this row's lock last in a unit,
-- so sequences are handed out in commit order: a history reader paging "after n" never misses a later commit.
CREATE TABLE organisation_sequences (
    organisation   text    PRIMARY KEY,
    last_sequence  bigint  NOT NULL
);

CREATE TABLE api_keys (
    id            text    PRIMARY KEY,
    secret_hash   text    NOT NULL UNIQUE,
    role          text    NOT NULL,
    organisation  text,
    wallets       text[]  NOT NULL,
    name          text,
    created_at    bigint  NOT NULL,
    revoked_at    bigint
);

CREATE TABLE wallets (
    organisation  text       NOT NULL,
    id            text       NOT NULL,
    currency      text       NOT NULL,
    limit_amount  numeric    NOT NULL,
    period        text       NOT NULL,
    time_zone     text       NOT NULL,
    thresholds    numeric[]  NOT NULL,
    period_start  bigint     NOT NULL,
    top_ups       numeric    NOT NULL,
    spent         numeric    NOT NULL,
    reserved      numeric    NOT NULL,
    leased        numeric    NOT NULL,
    version       bigint     NOT NULL,
    created_at    bigint     NOT NULL,
    PRIMARY KEY (organisation, id)
);

CREATE TABLE reservations (
    organisation  text     NOT NULL,
    id            text     NOT NULL,
    wallets       text[]   NOT NULL,
    amount        numeric  NOT NULL,
    currency      text     NOT NULL,
    status        text     NOT NULL,
    committed     numeric,
    created_at    bigint   NOT NULL,
    expires_at    bigint   NOT NULL,
    reference     text,
    PRIMARY KEY (organisation, id)
);
CREATE INDEX reservations_open_by_expiry ON reservations (expires_at) WHERE status = 'open';

CREATE TABLE leases (
    organisation  text     NOT NULL,
    id            text     NOT NULL,
    wallets       text[]   NOT NULL,
    amount        numeric  NOT NULL,
    used          numeric  NOT NULL,
    currency      text     NOT NULL,
    holder        text     NOT NULL,
    status        text     NOT NULL,
    created_at    bigint   NOT NULL,
    expires_at    bigint   NOT NULL,
    PRIMARY KEY (organisation, id)
);
CREATE INDEX leases_open_by_expiry ON leases (expires_at) WHERE status = 'open';

CREATE TABLE transactions (
    organisation  text     NOT NULL,
    sequence      bigint   NOT NULL,
    wallet        text     NOT NULL,
    kind          text     NOT NULL,
    amount        numeric  NOT NULL,
    spend_change  numeric  NOT NULL,
    currency      text     NOT NULL,
    at            bigint   NOT NULL,
    reference     text,
    PRIMARY KEY (organisation, sequence)
);
CREATE INDEX transactions_by_wallet ON transactions (organisation, wallet, sequence);

CREATE TABLE usage_sources (
    organisation   text    NOT NULL,
    source         text    NOT NULL,
    last_sequence  bigint  NOT NULL,
    updated_at     bigint  NOT NULL,
    PRIMARY KEY (organisation, source)
);

CREATE TABLE usage_records (
    organisation   text     NOT NULL,
    id             text     NOT NULL,
    source         text     NOT NULL,
    sequence       bigint   NOT NULL,
    wallets        text[]   NOT NULL,
    amount         numeric  NOT NULL,
    currency       text     NOT NULL,
    at             bigint   NOT NULL,
    lease          text,
    scope          text,
    provider       text,
    model          text,
    input_tokens   bigint   NOT NULL,
    output_tokens  bigint   NOT NULL,
    PRIMARY KEY (organisation, id)
);
CREATE INDEX usage_records_by_time ON usage_records (organisation, at);

CREATE TABLE idempotency (
    key_id        text     NOT NULL,
    key           text     NOT NULL,
    request_hash  text     NOT NULL,
    status_code   integer  NOT NULL,
    content_type  text     NOT NULL,
    body          bytea    NOT NULL,
    created_at    bigint   NOT NULL,
    expires_at    bigint   NOT NULL,
    PRIMARY KEY (key_id, key)
);
CREATE INDEX idempotency_by_expiry ON idempotency (expires_at);

CREATE TABLE audit_sources (
    organisation  text    NOT NULL,
    source        text    NOT NULL,
    size          bigint  NOT NULL,
    head          text    NOT NULL,
    updated_at    bigint  NOT NULL,
    PRIMARY KEY (organisation, source)
);

CREATE TABLE audit_entries (
    organisation  text    NOT NULL,
    source        text    NOT NULL,
    index         bigint  NOT NULL,
    canonical     bytea   NOT NULL,
    hash          text    NOT NULL,
    PRIMARY KEY (organisation, source, index)
);

CREATE TABLE checkpoints (
    organisation  text    NOT NULL,
    source        text    NOT NULL,
    size          bigint  NOT NULL,
    root_hash     text    NOT NULL,
    at            bigint  NOT NULL,
    signature     text    NOT NULL,
    key_id        text,
    anchored_at   bigint  NOT NULL,
    PRIMARY KEY (organisation, source, size)
);
