DROP TABLE audit_chain_head;
DROP FUNCTION audit_chain_head_forward_only();
DROP TABLE audit_events;
DROP FUNCTION audit_events_refuse_change();
