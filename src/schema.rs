// @generated automatically by Diesel CLI.

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    api_tokens (id) {
        id -> Int8,
        user_id -> Int8,
        label -> Text,
        token_hash -> Text,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    app_secrets (name) {
        name -> Text,
        value -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    articles (id) {
        id -> Int8,
        title -> Text,
        url -> Nullable<Text>,
        publisher -> Nullable<Text>,
        wire_service -> Nullable<Text>,
        author -> Nullable<Text>,
        published_at -> Nullable<Timestamptz>,
        raw_html -> Nullable<Text>,
        raw_text -> Nullable<Text>,
        body_text -> Text,
        content_hash -> Text,
        ingested_by -> Nullable<Int8>,
        ingested_at -> Timestamptz,
        search -> Nullable<Tsvector>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    assignments (id) {
        id -> Int8,
        claim_id -> Int8,
        assignee_id -> Int8,
        assigned_by -> Int8,
        due_at -> Nullable<Timestamptz>,
        priority -> Nullable<Text>,
        assigned_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    audit_chain_head (id) {
        id -> Bool,
        seq -> Int8,
        hash -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    audit_events (seq) {
        seq -> Int8,
        occurred_at -> Timestamptz,
        actor_type -> Text,
        actor_user_id -> Nullable<Int8>,
        actor_token_id -> Nullable<Int8>,
        actor_display -> Text,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Int8>,
        claim_id -> Nullable<Int8>,
        article_id -> Nullable<Int8>,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        request_id -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    claim_status_deltas (id) {
        id -> Int8,
        status -> Text,
        n -> Int8,
    }
}

// A view over `claim_status_deltas` (migration `claim_status_counts`), declared by hand:
// `diesel print-schema` lists tables only.
diesel::table! {
    claim_status_counts (status) {
        status -> Text,
        n -> Int8,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    claims (id) {
        id -> Int8,
        article_id -> Int8,
        text -> Text,
        quote_exact -> Text,
        quote_prefix -> Text,
        quote_suffix -> Text,
        quote_start -> Int4,
        quote_end -> Int4,
        speaker -> Nullable<Text>,
        speaker_role -> Nullable<Text>,
        via -> Nullable<Text>,
        cue -> Nullable<Text>,
        kind -> Text,
        signals -> Array<Nullable<Text>>,
        score -> Float4,
        origin -> Text,
        status -> Text,
        version -> Int4,
        assignee_id -> Nullable<Int8>,
        due_at -> Nullable<Timestamptz>,
        priority -> Nullable<Text>,
        created_by -> Nullable<Int8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        search -> Nullable<Tsvector>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    comments (id) {
        id -> Int8,
        claim_id -> Int8,
        author_id -> Int8,
        body -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    evidence (id) {
        id -> Int8,
        claim_id -> Int8,
        url -> Text,
        title -> Nullable<Text>,
        note -> Text,
        stance -> Text,
        added_by -> Int8,
        added_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    jobs (id) {
        id -> Int8,
        kind -> Text,
        payload -> Jsonb,
        status -> Text,
        attempts -> Int4,
        run_after -> Timestamptz,
        locked_at -> Nullable<Timestamptz>,
        finished_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
        created_by -> Nullable<Int8>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    login_failures (id) {
        id -> Int8,
        email -> Text,
        ip -> Text,
        attempted_at -> Timestamptz,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    sessions (key_hash) {
        key_hash -> Text,
        user_id -> Nullable<Int8>,
        state -> Jsonb,
        created_at -> Timestamptz,
        last_seen_at -> Timestamptz,
        expires_at -> Timestamptz,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
        version -> Int8,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    users (id) {
        id -> Int8,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        password_changed_at -> Timestamptz,
        deactivated_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use diesel_full_text_search::Tsvector;

    verdicts (id) {
        id -> Int8,
        claim_id -> Int8,
        verdict -> Text,
        rationale -> Text,
        decided_by -> Int8,
        decided_at -> Timestamptz,
        superseded_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    user_directory_version (id) {
        id -> Bool,
        version -> Int8,
    }
}

diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(articles -> users (ingested_by));
diesel::joinable!(assignments -> claims (claim_id));
diesel::joinable!(audit_events -> api_tokens (actor_token_id));
diesel::joinable!(audit_events -> articles (article_id));
diesel::joinable!(audit_events -> claims (claim_id));
diesel::joinable!(audit_events -> users (actor_user_id));
diesel::joinable!(claims -> articles (article_id));
diesel::joinable!(comments -> claims (claim_id));
diesel::joinable!(comments -> users (author_id));
diesel::joinable!(evidence -> claims (claim_id));
diesel::joinable!(evidence -> users (added_by));
diesel::joinable!(jobs -> users (created_by));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(verdicts -> claims (claim_id));
diesel::joinable!(verdicts -> users (decided_by));

diesel::allow_tables_to_appear_in_same_query!(
    api_tokens,
    app_secrets,
    articles,
    assignments,
    audit_chain_head,
    audit_events,
    claim_status_counts,
    claim_status_deltas,
    claims,
    comments,
    evidence,
    jobs,
    login_failures,
    sessions,
    user_directory_version,
    users,
    verdicts,
);
