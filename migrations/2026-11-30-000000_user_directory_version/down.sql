DROP TRIGGER user_directory_changed ON users;
DROP FUNCTION user_directory_bump();
DROP TABLE user_directory_version;
