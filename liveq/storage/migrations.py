"""Named, forward-only schema migrations, recorded in the `migrations` table.

Append new migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

import sqlite3
import time

import aiosqlite

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL,
            created_at REAL NOT NULL,
            disabled INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            kind TEXT NOT NULL,
            hashtag TEXT NOT NULL DEFAULT '',
            moderation TEXT NOT NULL,
            overlay_key TEXT NOT NULL,
            accepting INTEGER NOT NULL DEFAULT 1,
            created_at REAL NOT NULL
        );
        CREATE TABLE api_tokens (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            event_id INTEGER REFERENCES events(id),
            label TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL,
            revoked_at REAL
        );
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id),
            text TEXT NOT NULL,
            original_text TEXT,
            status TEXT NOT NULL,
            source TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '',
            source_id TEXT,
            source_url TEXT NOT NULL DEFAULT '',
            client_ip TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            updated_by TEXT NOT NULL DEFAULT '',
            version INTEGER NOT NULL DEFAULT 1,
            starred INTEGER NOT NULL DEFAULT 0,
            votes INTEGER NOT NULL DEFAULT 0,
            merged_into INTEGER REFERENCES questions(id),
            merged_count INTEGER NOT NULL DEFAULT 0,
            answer TEXT NOT NULL DEFAULT '',
            decline_reason TEXT NOT NULL DEFAULT '',
            findings TEXT NOT NULL DEFAULT '[]'
        );
        -- One question per tweet, however often the poller sees it.
        CREATE UNIQUE INDEX questions_source_id
            ON questions(event_id, source, source_id) WHERE source_id IS NOT NULL;
        CREATE INDEX questions_event_status ON questions(event_id, status);
        CREATE TABLE votes (
            question_id INTEGER NOT NULL REFERENCES questions(id),
            voter TEXT NOT NULL,
            created_at REAL NOT NULL,
            PRIMARY KEY (question_id, voter)
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            event_id INTEGER REFERENCES events(id),
            question_id INTEGER REFERENCES questions(id),
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            at REAL NOT NULL,
            before TEXT,
            after TEXT,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_event ON audit(event_id, id);
        """,
    ),
    (
        "0002_x_integration",
        """
        -- Per event: where the hashtag poller got to, and what it has spent.
        CREATE TABLE x_sources (
            event_id INTEGER PRIMARY KEY REFERENCES events(id),
            since_id TEXT,
            reads_used INTEGER NOT NULL DEFAULT 0,
            polls INTEGER NOT NULL DEFAULT 0,
            last_poll_at REAL,
            last_error TEXT NOT NULL DEFAULT '',
            paused INTEGER NOT NULL DEFAULT 0
        );
        -- Every outgoing post is a row before it is a tweet.
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id),
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            question_id INTEGER REFERENCES questions(id),
            text TEXT NOT NULL,
            media TEXT NOT NULL DEFAULT '[]',
            idempotency_key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            tweet_id TEXT,
            reply_to TEXT,
            mode TEXT NOT NULL DEFAULT '',
            error TEXT NOT NULL DEFAULT '',
            findings TEXT NOT NULL DEFAULT '[]',
            not_before REAL NOT NULL DEFAULT 0,
            created_by TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            posted_at REAL,
            UNIQUE (event_id, seq)
        );
        CREATE INDEX outbox_state ON outbox(state, event_id, seq);
        """,
    ),
    (
        "0005_audit_chain",
        """
        -- The audit trail becomes a hash chain (liveq/audit.py): each row holds the hash
        -- of its event's previous row and its own. Rows written before this migration
        -- are sealed, oldest first, when their event's trail is next written to.
        ALTER TABLE audit ADD COLUMN prev_hash TEXT;
        ALTER TABLE audit ADD COLUMN hash TEXT;
        -- Per event (scope 0: rows without an event): the key of the HMAC digests that
        -- stand in for personal values in the hash. Purge deletes the event's key.
        CREATE TABLE audit_keys (scope INTEGER PRIMARY KEY, key BLOB NOT NULL);
        -- A row here exists only inside a purge's transaction: it lets the purge replace
        -- an event's personal values with their digests.
        CREATE TABLE audit_purging (scope INTEGER PRIMARY KEY);
        -- Append-only: no row is deleted; a row changes only to be sealed once, or to
        -- have personal values replaced by a purge (which keeps its hash valid).
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN
            SELECT RAISE(ABORT, 'the audit trail is append-only: rows cannot be deleted');
        END;
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        WHEN NOT (
            NEW.id = OLD.id AND NEW.event_id IS OLD.event_id
            AND NEW.question_id IS OLD.question_id AND NEW.actor IS OLD.actor
            AND NEW.action IS OLD.action AND NEW.at IS OLD.at
            AND (
                (OLD.hash IS NULL AND NEW.before IS OLD.before AND NEW.after IS OLD.after
                    AND NEW.detail IS OLD.detail)
                OR (OLD.hash IS NOT NULL AND NEW.hash IS OLD.hash
                    AND NEW.prev_hash IS OLD.prev_hash
                    AND EXISTS (SELECT 1 FROM audit_purging
                                WHERE scope = coalesce(OLD.event_id, 0)))
            )
        )
        BEGIN
            SELECT RAISE(ABORT, 'the audit trail is append-only: rows cannot be changed');
        END;
        """,
    ),
    (
        "0006_procedure",
        """
        -- Live-tweeted procedures (liveq/procedure/): one row per procedure event.
        CREATE TABLE procedures (
            event_id INTEGER PRIMARY KEY REFERENCES events(id),
            physician TEXT NOT NULL DEFAULT '',
            pacing_seconds INTEGER NOT NULL DEFAULT 360,
            live_at REAL,
            live_by TEXT NOT NULL DEFAULT ''
        );
        -- Script posts (role 'script', in position order), the pool of facts ('fact')
        -- and the holding statement ('holding'). A sign-off holds for one version.
        CREATE TABLE procedure_posts (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id),
            role TEXT NOT NULL,
            position INTEGER NOT NULL,
            text TEXT NOT NULL,
            warning INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            signed_version INTEGER,
            signed_by TEXT NOT NULL DEFAULT '',
            signed_at REAL,
            outbox_id INTEGER REFERENCES outbox(id),
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            updated_by TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX procedure_posts_event ON procedure_posts(event_id, role, position);
        -- Uploaded image bytes, kept until they are sent to X.
        CREATE TABLE media_files (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id),
            media_type TEXT NOT NULL,
            data BLOB NOT NULL,
            sha256 TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE TABLE procedure_photos (
            id INTEGER PRIMARY KEY,
            post_id INTEGER NOT NULL REFERENCES procedure_posts(id),
            media_file_id INTEGER NOT NULL REFERENCES media_files(id),
            alt_text TEXT NOT NULL
        );
        CREATE TABLE procedure_consents (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id),
            label TEXT NOT NULL,
            done_by TEXT NOT NULL DEFAULT '',
            done_at REAL,
            note TEXT NOT NULL DEFAULT ''
        );
        -- An event's outbox is frozen while its row exists (only 'holding' posts go out).
        CREATE TABLE outbox_pauses (
            event_id INTEGER PRIMARY KEY REFERENCES events(id),
            paused_at REAL NOT NULL,
            paused_by TEXT NOT NULL
        );
        -- The exact text sent to X (a procedure's posts get a counter and the hashtag).
        ALTER TABLE outbox ADD COLUMN sent_text TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        "0007_answered_at",
        """
        -- When a question was answered: the outbox's queue of answers to post, in
        -- order, without reading the audit trail.
        ALTER TABLE questions ADD COLUMN answered_at REAL;
        UPDATE questions SET answered_at = (
            SELECT max(a.at) FROM audit a WHERE a.question_id = questions.id AND a.action = 'answer'
        ) WHERE status = 'answered';
        CREATE INDEX questions_answered ON questions(answered_at) WHERE answered_at IS NOT NULL;
        """,
    ),
    (
        "0008_signed_posts",
        """
        -- A procedure's scripted rows (script, fact, holding) carry the approver's
        -- sign-off of the very text on the row; editing the text clears it, and a
        -- scripted row without one is never sent.
        ALTER TABLE outbox ADD COLUMN script_post_id INTEGER REFERENCES procedure_posts(id);
        ALTER TABLE outbox ADD COLUMN signed_version INTEGER;
        ALTER TABLE outbox ADD COLUMN signed_by TEXT NOT NULL DEFAULT '';
        ALTER TABLE outbox ADD COLUMN signed_at REAL;
        UPDATE outbox SET script_post_id = (
            SELECT p.id FROM procedure_posts p WHERE p.outbox_id = outbox.id
        ) WHERE kind IN ('script', 'fact');
        UPDATE outbox SET script_post_id = (
            SELECT p.id FROM procedure_posts p
            WHERE p.event_id = outbox.event_id AND p.role = 'holding'
        ) WHERE kind = 'holding';
        -- Signed only where the row still has the text of the post's signed version.
        UPDATE outbox SET signed_version = p.signed_version, signed_by = p.signed_by,
            signed_at = p.signed_at
        FROM procedure_posts p
        WHERE p.id = outbox.script_post_id AND p.signed_version = p.version
            AND outbox.text = (CASE WHEN p.warning THEN '⚠️ May be graphic. ' || p.text
                               ELSE p.text END);
        -- The number X got: the post's place among the posts that went out.
        ALTER TABLE outbox ADD COLUMN thread_number INTEGER;
        UPDATE outbox SET thread_number = (
            SELECT count(*) FROM outbox o WHERE o.event_id = outbox.event_id
            AND o.state = 'posted' AND o.seq <= outbox.seq
        ) WHERE state = 'posted';
        """,
    ),
    (
        "0009_awaited_photos",
        """
        -- A script imported without its photos: each photo it names waits, with its
        -- file name and alt text, until someone uploads it (media_file_id NULL).
        ALTER TABLE procedure_photos RENAME TO procedure_photos_0006;
        CREATE TABLE procedure_photos (
            id INTEGER PRIMARY KEY,
            post_id INTEGER NOT NULL REFERENCES procedure_posts(id),
            media_file_id INTEGER REFERENCES media_files(id),
            alt_text TEXT NOT NULL,
            file TEXT NOT NULL DEFAULT ''
        );
        INSERT INTO procedure_photos (id, post_id, media_file_id, alt_text)
            SELECT id, post_id, media_file_id, alt_text FROM procedure_photos_0006;
        DROP TABLE procedure_photos_0006;
        """,
    ),
    (
        "0010_network_threads",
        """
        -- The live thread on each network other than X (Mastodon, Bluesky): one
        -- thread per network per event; every post is a row before it is a request.
        -- idempotency_key is chosen before the first request and sent with every
        -- attempt (Mastodon's Idempotency-Key; Bluesky's record key).
        CREATE TABLE network_posts (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id),
            network TEXT NOT NULL,
            seq INTEGER NOT NULL,
            question_id INTEGER REFERENCES questions(id),
            part INTEGER NOT NULL DEFAULT 0,
            text TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            post_id TEXT,
            post_url TEXT NOT NULL DEFAULT '',
            reply_to TEXT,
            error TEXT NOT NULL DEFAULT '',
            not_before REAL NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            posted_at REAL,
            UNIQUE (event_id, network, seq),
            UNIQUE (event_id, network, question_id, part)
        );
        CREATE INDEX network_posts_state ON network_posts(network, state, event_id, seq);
        -- Per event and network: where the hashtag reader got to.
        CREATE TABLE network_sources (
            event_id INTEGER NOT NULL REFERENCES events(id),
            network TEXT NOT NULL,
            since_id TEXT,
            reads INTEGER NOT NULL DEFAULT 0,
            polls INTEGER NOT NULL DEFAULT 0,
            last_poll_at REAL,
            last_error TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (event_id, network)
        );
        """,
    ),
    (
        "0011_photo_checks",
        """
        -- Each photo is checked for faces and text (check_state: pending, checking,
        -- done, failed); findings hold what was found, each with its box and whether
        -- it was redacted or approved. original_file_id is the cleaned upload, kept on
        -- the server to redact from (never served, never sent); media_file_id is the
        -- current version, made from it by the redactions listed.
        ALTER TABLE procedure_photos ADD COLUMN check_state TEXT NOT NULL DEFAULT 'pending';
        ALTER TABLE procedure_photos ADD COLUMN check_error TEXT NOT NULL DEFAULT '';
        ALTER TABLE procedure_photos ADD COLUMN findings TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE procedure_photos ADD COLUMN redactions TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE procedure_photos ADD COLUMN original_file_id INTEGER REFERENCES media_files(id);
        ALTER TABLE procedure_photos ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        """,
    ),
    (
        "0012_event_networks",
        """
        -- The networks an event posts to, comma-separated ("" = every configured one).
        ALTER TABLE events ADD COLUMN networks TEXT NOT NULL DEFAULT '';
        -- A procedure's post on Mastodon or Bluesky mirrors its row in the event's
        -- signed thread (outbox); media as in outbox.media, with each network's own id.
        ALTER TABLE network_posts ADD COLUMN outbox_id INTEGER REFERENCES outbox(id);
        ALTER TABLE network_posts ADD COLUMN media TEXT NOT NULL DEFAULT '[]';
        CREATE UNIQUE INDEX network_posts_outbox ON network_posts(network, outbox_id, part)
            WHERE outbox_id IS NOT NULL;
        """,
    ),
    (
        "0013_event_language",
        """
        -- The audience pages' language per event (a catalog in liveq/locale, e.g. 'es');
        -- '' leaves it to each browser's Accept-Language.
        ALTER TABLE events ADD COLUMN language TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        "0014_queue_tools",
        """
        -- Per question: labels a moderator gives it (a speaker, a topic; a JSON list)
        -- and a note for the other moderators, never shown to the audience or overlay.
        ALTER TABLE questions ADD COLUMN labels TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE questions ADD COLUMN moderator_note TEXT NOT NULL DEFAULT '';
        -- The presenter's session timer, one per event: running while started_at is
        -- set (remaining counts down from then), paused or unstarted otherwise.
        CREATE TABLE presenter_timers (
            event_id INTEGER PRIMARY KEY REFERENCES events(id),
            duration REAL NOT NULL,
            remaining REAL NOT NULL,
            started_at REAL,
            updated_by TEXT NOT NULL,
            updated_at REAL NOT NULL
        );
        -- Messages from moderators to the presenter ("wrap up"), shown only on the
        -- presenter view.
        CREATE TABLE backstage_messages (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id),
            text TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE INDEX backstage_messages_event ON backstage_messages(event_id, id);
        """,
    ),
    (
        "0015_audience_options",
        """
        -- Per event: whether the form requires a name, and whether the audience page
        -- shows a question's typed answer under it.
        ALTER TABLE events ADD COLUMN require_name INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN show_answers INTEGER NOT NULL DEFAULT 0;
        -- The signed browser id (liveq/web/browser_id.py) of whoever asked on the form,
        -- so that browser, and only it, sees the status of its own questions.
        ALTER TABLE questions ADD COLUMN asker TEXT NOT NULL DEFAULT '';
        CREATE INDEX questions_asker ON questions(event_id, asker) WHERE asker != '';
        """,
    ),
    (
        "0016_polls",
        """
        -- Polls prepared before the event (draft), opened and closed live.
        CREATE TABLE polls (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id),
            kind TEXT NOT NULL,
            question TEXT NOT NULL,
            options TEXT NOT NULL DEFAULT '[]',
            scale INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'draft',
            results_visible INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX polls_event ON polls(event_id);
        -- One answer per poll and browser; held: screening found something in a
        -- word-cloud answer, so it stays out of the cloud.
        CREATE TABLE poll_answers (
            id INTEGER PRIMARY KEY,
            poll_id INTEGER NOT NULL REFERENCES polls(id),
            voter TEXT NOT NULL,
            value TEXT NOT NULL,
            held INTEGER NOT NULL DEFAULT 0,
            findings TEXT NOT NULL DEFAULT '[]',
            created_at REAL NOT NULL,
            UNIQUE (poll_id, voter)
        );
        -- Each poll's counts per key (an option, a rating, a phrase), kept with each answer.
        CREATE TABLE poll_tallies (
            poll_id INTEGER NOT NULL REFERENCES polls(id),
            key TEXT NOT NULL,
            n INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (poll_id, key)
        );
        """,
    ),
    (
        "0017_question_lang",
        """
        -- The language a question is written in ("en", "es"; '' when too short to
        -- tell), detected on the way in, so pages render it with lang=.
        ALTER TABLE questions ADD COLUMN lang TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        "0018_job_fences",
        """
        -- Per background job: the newest lease fencing token that wrote (storage/fences.py).
        -- A write carrying an older token is refused: its holder was frozen past its lease.
        CREATE TABLE job_fences (
            name TEXT PRIMARY KEY,
            token INTEGER NOT NULL,
            updated_at REAL NOT NULL
        );
        """,
    ),
    (
        "0019_setup_in_the_browser",
        """
        -- An archived event leaves the lists (and the hashtag readers) and takes no questions.
        ALTER TABLE events ADD COLUMN archived_at REAL;
        -- One-time links: an invited user sets a password, or a user given a reset sets a
        -- new one. Only the link's hash is kept; used_at set means it worked once already.
        CREATE TABLE account_links (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            user_id INTEGER NOT NULL REFERENCES users(id),
            purpose TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at REAL NOT NULL,
            expires_at REAL NOT NULL,
            used_at REAL
        );
        CREATE INDEX account_links_user ON account_links (user_id);
        """,
    ),
    (
        "0020_event_schedule",
        """
        -- When an event's questions open and close (epoch seconds); NULL: no limit.
        ALTER TABLE events ADD COLUMN opens_at REAL;
        ALTER TABLE events ADD COLUMN closes_at REAL;
        """,
    ),
    (
        "0021_event_brand_colour",
        """
        -- The audience pages' accent colour (#rrggbb, checked for contrast); '' for liveq's.
        ALTER TABLE events ADD COLUMN brand_colour TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        "0022_event_logo",
        """
        -- An event's logo for its audience pages, re-encoded without metadata. The bytes
        -- live apart so loading an event does not load them; events.logo_sha256 says
        -- whether there is one (and changes the logo's URL when it changes).
        ALTER TABLE events ADD COLUMN logo_sha256 TEXT NOT NULL DEFAULT '';
        CREATE TABLE event_logos (
            event_id INTEGER PRIMARY KEY REFERENCES events(id),
            data BLOB NOT NULL,
            media_type TEXT NOT NULL,
            updated_at REAL NOT NULL
        );
        """,
    ),
]


# PostgreSQL's schema (liveq.storage.pg). Its first migration builds, in one step, what
# sqlite's 0001..0011 built; from then on every migration above gets its PostgreSQL
# twin here, under the same name (types, triggers and ALTERs in PostgreSQL's terms).
# A PostgreSQL migration runs as one multi-statement text (plpgsql bodies included).
POSTGRES_MIGRATIONS: list[tuple[str, str]] = [
    (
        "pg_0001_schema_as_of_0011",
        """
        CREATE TABLE users (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            disabled BIGINT NOT NULL DEFAULT 0
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id BIGINT NOT NULL REFERENCES users(id),
            created_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE events (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            kind TEXT NOT NULL,
            hashtag TEXT NOT NULL DEFAULT '',
            moderation TEXT NOT NULL,
            overlay_key TEXT NOT NULL,
            accepting BIGINT NOT NULL DEFAULT 1,
            created_at DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE api_tokens (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            event_id BIGINT REFERENCES events(id),
            label TEXT NOT NULL DEFAULT '',
            created_at DOUBLE PRECISION NOT NULL,
            revoked_at DOUBLE PRECISION
        );
        CREATE TABLE questions (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            event_id BIGINT NOT NULL REFERENCES events(id),
            text TEXT NOT NULL,
            original_text TEXT,
            status TEXT NOT NULL,
            source TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '',
            source_id TEXT,
            source_url TEXT NOT NULL DEFAULT '',
            client_ip TEXT NOT NULL DEFAULT '',
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            updated_by TEXT NOT NULL DEFAULT '',
            version BIGINT NOT NULL DEFAULT 1,
            starred BIGINT NOT NULL DEFAULT 0,
            votes BIGINT NOT NULL DEFAULT 0,
            merged_into BIGINT REFERENCES questions(id),
            merged_count BIGINT NOT NULL DEFAULT 0,
            answer TEXT NOT NULL DEFAULT '',
            decline_reason TEXT NOT NULL DEFAULT '',
            findings TEXT NOT NULL DEFAULT '[]',
            answered_at DOUBLE PRECISION
        );
        CREATE UNIQUE INDEX questions_source_id
            ON questions(event_id, source, source_id) WHERE source_id IS NOT NULL;
        CREATE INDEX questions_event_status ON questions(event_id, status);
        CREATE INDEX questions_answered ON questions(answered_at) WHERE answered_at IS NOT NULL;
        CREATE TABLE votes (
            question_id BIGINT NOT NULL REFERENCES questions(id),
            voter TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (question_id, voter)
        );
        -- liveq chooses each audit id itself (it is hashed); see audit_next_id for others.
        CREATE TABLE audit (
            id BIGINT PRIMARY KEY,
            event_id BIGINT REFERENCES events(id),
            question_id BIGINT REFERENCES questions(id),
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            at DOUBLE PRECISION NOT NULL,
            before TEXT,
            after TEXT,
            detail TEXT NOT NULL DEFAULT '',
            prev_hash TEXT,
            hash TEXT
        );
        CREATE INDEX audit_event ON audit(event_id, id);
        CREATE TABLE x_sources (
            event_id BIGINT PRIMARY KEY REFERENCES events(id),
            since_id TEXT,
            reads_used BIGINT NOT NULL DEFAULT 0,
            polls BIGINT NOT NULL DEFAULT 0,
            last_poll_at DOUBLE PRECISION,
            last_error TEXT NOT NULL DEFAULT '',
            paused BIGINT NOT NULL DEFAULT 0
        );
        CREATE TABLE outbox (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            event_id BIGINT NOT NULL REFERENCES events(id),
            seq BIGINT NOT NULL,
            kind TEXT NOT NULL,
            question_id BIGINT REFERENCES questions(id),
            text TEXT NOT NULL,
            media TEXT NOT NULL DEFAULT '[]',
            idempotency_key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            tweet_id TEXT,
            reply_to TEXT,
            mode TEXT NOT NULL DEFAULT '',
            error TEXT NOT NULL DEFAULT '',
            findings TEXT NOT NULL DEFAULT '[]',
            not_before DOUBLE PRECISION NOT NULL DEFAULT 0,
            created_by TEXT NOT NULL DEFAULT '',
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            posted_at DOUBLE PRECISION,
            sent_text TEXT NOT NULL DEFAULT '',
            script_post_id BIGINT,
            signed_version BIGINT,
            signed_by TEXT NOT NULL DEFAULT '',
            signed_at DOUBLE PRECISION,
            thread_number BIGINT,
            UNIQUE (event_id, seq)
        );
        CREATE INDEX outbox_state ON outbox(state, event_id, seq);
        CREATE TABLE audit_keys (scope BIGINT PRIMARY KEY, key BYTEA NOT NULL);
        CREATE TABLE audit_purging (scope BIGINT PRIMARY KEY);
        CREATE TABLE procedures (
            event_id BIGINT PRIMARY KEY REFERENCES events(id),
            physician TEXT NOT NULL DEFAULT '',
            pacing_seconds BIGINT NOT NULL DEFAULT 360,
            live_at DOUBLE PRECISION,
            live_by TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE procedure_posts (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            event_id BIGINT NOT NULL REFERENCES events(id),
            role TEXT NOT NULL,
            position BIGINT NOT NULL,
            text TEXT NOT NULL,
            warning BIGINT NOT NULL DEFAULT 0,
            version BIGINT NOT NULL DEFAULT 1,
            signed_version BIGINT,
            signed_by TEXT NOT NULL DEFAULT '',
            signed_at DOUBLE PRECISION,
            outbox_id BIGINT REFERENCES outbox(id),
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            updated_by TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX procedure_posts_event ON procedure_posts(event_id, role, position);
        ALTER TABLE outbox ADD FOREIGN KEY (script_post_id) REFERENCES procedure_posts(id);
        CREATE TABLE media_files (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            event_id BIGINT NOT NULL REFERENCES events(id),
            media_type TEXT NOT NULL,
            data BYTEA NOT NULL,
            sha256 TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE procedure_consents (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            event_id BIGINT NOT NULL REFERENCES events(id),
            label TEXT NOT NULL,
            done_by TEXT NOT NULL DEFAULT '',
            done_at DOUBLE PRECISION,
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE TABLE outbox_pauses (
            event_id BIGINT PRIMARY KEY REFERENCES events(id),
            paused_at DOUBLE PRECISION NOT NULL,
            paused_by TEXT NOT NULL
        );
        CREATE TABLE procedure_photos (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            post_id BIGINT NOT NULL REFERENCES procedure_posts(id),
            media_file_id BIGINT REFERENCES media_files(id),
            alt_text TEXT NOT NULL,
            file TEXT NOT NULL DEFAULT '',
            check_state TEXT NOT NULL DEFAULT 'pending',
            check_error TEXT NOT NULL DEFAULT '',
            findings TEXT NOT NULL DEFAULT '[]',
            redactions TEXT NOT NULL DEFAULT '[]',
            original_file_id BIGINT REFERENCES media_files(id),
            version BIGINT NOT NULL DEFAULT 1
        );
        CREATE TABLE network_posts (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            event_id BIGINT NOT NULL REFERENCES events(id),
            network TEXT NOT NULL,
            seq BIGINT NOT NULL,
            question_id BIGINT REFERENCES questions(id),
            part BIGINT NOT NULL DEFAULT 0,
            text TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            post_id TEXT,
            post_url TEXT NOT NULL DEFAULT '',
            reply_to TEXT,
            error TEXT NOT NULL DEFAULT '',
            not_before DOUBLE PRECISION NOT NULL DEFAULT 0,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            posted_at DOUBLE PRECISION,
            UNIQUE (event_id, network, seq),
            UNIQUE (event_id, network, question_id, part)
        );
        CREATE INDEX network_posts_state ON network_posts(network, state, event_id, seq);
        CREATE TABLE network_sources (
            event_id BIGINT NOT NULL REFERENCES events(id),
            network TEXT NOT NULL,
            since_id TEXT,
            reads BIGINT NOT NULL DEFAULT 0,
            polls BIGINT NOT NULL DEFAULT 0,
            last_poll_at DOUBLE PRECISION,
            last_error TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (event_id, network)
        );
        -- The audit trail is append-only, as on sqlite (migration 0005's triggers).
        CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
            IF TG_OP <> 'UPDATE' THEN
                RAISE EXCEPTION 'the audit trail is append-only: rows cannot be deleted';
            END IF;
            IF NOT (
                NEW.id = OLD.id AND NEW.event_id IS NOT DISTINCT FROM OLD.event_id
                AND NEW.question_id IS NOT DISTINCT FROM OLD.question_id
                AND NEW.actor IS NOT DISTINCT FROM OLD.actor
                AND NEW.action IS NOT DISTINCT FROM OLD.action
                AND NEW.at IS NOT DISTINCT FROM OLD.at
                AND (
                    (OLD.hash IS NULL AND NEW.before IS NOT DISTINCT FROM OLD.before
                        AND NEW.after IS NOT DISTINCT FROM OLD.after
                        AND NEW.detail IS NOT DISTINCT FROM OLD.detail)
                    OR (OLD.hash IS NOT NULL AND NEW.hash IS NOT DISTINCT FROM OLD.hash
                        AND NEW.prev_hash IS NOT DISTINCT FROM OLD.prev_hash
                        AND EXISTS (SELECT 1 FROM audit_purging
                                    WHERE scope = coalesce(OLD.event_id, 0)))
                )
            ) THEN
                RAISE EXCEPTION 'the audit trail is append-only: rows cannot be changed';
            END IF;
            RETURN NEW;
        END
        $body$;
        -- An INSERT without an id gets the next one, as sqlite's INTEGER PRIMARY KEY does.
        CREATE FUNCTION audit_next_id() RETURNS trigger LANGUAGE plpgsql AS $body$
        BEGIN
            IF NEW.id IS NULL THEN
                NEW.id := (SELECT coalesce(max(id), 0) + 1 FROM audit);
            END IF;
            RETURN NEW;
        END
        $body$;
        CREATE TRIGGER audit_next_id BEFORE INSERT ON audit
            FOR EACH ROW EXECUTE FUNCTION audit_next_id();
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            FOR EACH ROW EXECUTE FUNCTION audit_append_only();
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            FOR EACH ROW EXECUTE FUNCTION audit_append_only();
        -- TRUNCATE skips row triggers: refuse it too.
        CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
            FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
        """,
    ),
    (
        "0012_event_networks",
        """
        -- As sqlite's 0012, in PostgreSQL's types.
        ALTER TABLE events ADD COLUMN networks TEXT NOT NULL DEFAULT '';
        ALTER TABLE network_posts ADD COLUMN outbox_id BIGINT REFERENCES outbox(id);
        ALTER TABLE network_posts ADD COLUMN media TEXT NOT NULL DEFAULT '[]';
        CREATE UNIQUE INDEX network_posts_outbox ON network_posts(network, outbox_id, part)
            WHERE outbox_id IS NOT NULL;
        """,
    ),
    (
        "0013_event_language",
        """
        ALTER TABLE events ADD COLUMN language TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        "0014_queue_tools",
        """
        ALTER TABLE questions ADD COLUMN labels TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE questions ADD COLUMN moderator_note TEXT NOT NULL DEFAULT '';
        CREATE TABLE presenter_timers (
            event_id BIGINT PRIMARY KEY REFERENCES events(id),
            duration DOUBLE PRECISION NOT NULL,
            remaining DOUBLE PRECISION NOT NULL,
            started_at DOUBLE PRECISION,
            updated_by TEXT NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE backstage_messages (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            event_id BIGINT NOT NULL REFERENCES events(id),
            text TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL
        );
        CREATE INDEX backstage_messages_event ON backstage_messages(event_id, id);
        """,
    ),
    (
        "0015_audience_options",
        """
        ALTER TABLE events ADD COLUMN require_name BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE events ADD COLUMN show_answers BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE questions ADD COLUMN asker TEXT NOT NULL DEFAULT '';
        CREATE INDEX questions_asker ON questions(event_id, asker) WHERE asker != '';
        """,
    ),
    (
        "pg_0002_sqlite_functions",
        """
        -- sqlite's scalar functions the store's SQL uses that PostgreSQL lacks, so the
        -- SQL stays one text: instr(haystack, needle) is strpos.
        CREATE FUNCTION instr(haystack TEXT, needle TEXT) RETURNS INTEGER
            LANGUAGE sql IMMUTABLE STRICT AS 'SELECT strpos(haystack, needle)';
        """,
    ),
    (
        "0016_polls",
        """
        -- As sqlite's 0016, in PostgreSQL's types.
        CREATE TABLE polls (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            event_id BIGINT NOT NULL REFERENCES events(id),
            kind TEXT NOT NULL,
            question TEXT NOT NULL,
            options TEXT NOT NULL DEFAULT '[]',
            scale BIGINT NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'draft',
            results_visible BIGINT NOT NULL DEFAULT 0,
            version BIGINT NOT NULL DEFAULT 1,
            created_at DOUBLE PRECISION NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            deleted BIGINT NOT NULL DEFAULT 0
        );
        CREATE INDEX polls_event ON polls(event_id);
        CREATE TABLE poll_answers (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            poll_id BIGINT NOT NULL REFERENCES polls(id),
            voter TEXT NOT NULL,
            value TEXT NOT NULL,
            held BIGINT NOT NULL DEFAULT 0,
            findings TEXT NOT NULL DEFAULT '[]',
            created_at DOUBLE PRECISION NOT NULL,
            UNIQUE (poll_id, voter)
        );
        CREATE TABLE poll_tallies (
            poll_id BIGINT NOT NULL REFERENCES polls(id),
            key TEXT NOT NULL,
            n BIGINT NOT NULL DEFAULT 0,
            PRIMARY KEY (poll_id, key)
        );
        """,
    ),
    (
        "0017_question_lang",
        """
        ALTER TABLE questions ADD COLUMN lang TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        "0018_job_fences",
        """
        CREATE TABLE job_fences (
            name TEXT PRIMARY KEY,
            token BIGINT NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        );
        """,
    ),
    (
        "0019_setup_in_the_browser",
        """
        ALTER TABLE events ADD COLUMN archived_at DOUBLE PRECISION;
        CREATE TABLE account_links (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            user_id BIGINT NOT NULL REFERENCES users(id),
            purpose TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL,
            used_at DOUBLE PRECISION
        );
        CREATE INDEX account_links_user ON account_links (user_id);
        """,
    ),
    (
        "0020_event_schedule",
        """
        ALTER TABLE events ADD COLUMN opens_at DOUBLE PRECISION;
        ALTER TABLE events ADD COLUMN closes_at DOUBLE PRECISION;
        """,
    ),
    (
        "0021_event_brand_colour",
        """
        ALTER TABLE events ADD COLUMN brand_colour TEXT NOT NULL DEFAULT '';
        """,
    ),
    (
        "0022_event_logo",
        """
        ALTER TABLE events ADD COLUMN logo_sha256 TEXT NOT NULL DEFAULT '';
        CREATE TABLE event_logos (
            event_id BIGINT PRIMARY KEY REFERENCES events(id),
            data BYTEA NOT NULL,
            media_type TEXT NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL
        );
        """,
    ),
]

# Schema lock: one process migrates while the others wait (pg_advisory_xact_lock key).
MIGRATION_LOCK = 0x6C697665_71000001 & 0x7FFFFFFFFFFFFFFF


async def apply_postgres(conn) -> list[str]:  # an asyncpg connection
    """Apply the PostgreSQL migrations not yet recorded; return their names."""
    new = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS migrations"
            " (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)"
        )
        done = {r["name"] for r in await conn.fetch("SELECT name FROM migrations")}
        unknown = done - {name for name, _ in POSTGRES_MIGRATIONS}
        if unknown:
            raise RuntimeError(
                "the database has migrations this version of liveq does not know: "
                f"{sorted(unknown)}"
            )
        for name, sql in POSTGRES_MIGRATIONS:
            if name in done:
                continue
            await conn.execute(sql)
            await conn.execute(
                "INSERT INTO migrations (name, applied_at) VALUES ($1, $2)", name, time.time()
            )
            new.append(name)
    return new


async def applied(conn: aiosqlite.Connection) -> list[str]:
    rows = await conn.execute_fetchall("SELECT name FROM migrations ORDER BY rowid")
    return [row[0] for row in rows]


async def apply(conn: aiosqlite.Connection) -> list[str]:
    """Apply the migrations not yet recorded; return their names."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)"
    )
    done = set(await applied(conn))
    unknown = done - {name for name, _ in MIGRATIONS}
    if unknown:
        # A newer liveq wrote this file; running older code on it could corrupt it.
        raise RuntimeError(
            f"the database has migrations this version of liveq does not know: {sorted(unknown)}"
        )
    new = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(sql):
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO migrations (name, applied_at) VALUES (?, ?)", (name, time.time())
            )
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise
        new.append(name)
    return new


def _statements(sql: str) -> list[str]:
    # executescript would commit on its own; split so each migration is one transaction.
    lines = [ln for ln in sql.splitlines() if not ln.strip().startswith("--")]
    statements, current = [], ""
    for piece in "\n".join(lines).split(";"):
        current += piece + ";"
        # A trigger's body has semicolons of its own: read on until the statement is whole.
        if sqlite3.complete_statement(current):
            if current.strip(" \n;"):
                statements.append(current.strip().removesuffix(";"))
            current = ""
    if current.strip(" \n;"):
        statements.append(current.strip().removesuffix(";"))
    return statements
