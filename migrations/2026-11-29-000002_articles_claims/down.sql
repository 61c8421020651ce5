DROP TABLE comments;
DROP TABLE verdicts;
DROP TABLE evidence;
DROP TABLE assignments;
DROP TABLE claims;
DROP TABLE articles;
