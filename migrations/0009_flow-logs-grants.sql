-- Flow logs are append-only for the application role (agents add, users read); retention deletes run
-- as the owner.
GRANT SELECT, INSERT ON flow_logs TO palisade_app;
