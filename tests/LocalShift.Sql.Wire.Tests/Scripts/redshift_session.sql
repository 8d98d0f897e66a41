-- A Redshift-style session as a user would type it into psql.
SELECT version();
CREATE TABLE public.venue (
  venueid SMALLINT NOT NULL ENCODE az64,
  venuename VARCHAR(100) ENCODE lzo,
  venuecity VARCHAR(30),
  venueseats INTEGER
) DISTSTYLE EVEN SORTKEY (venueid);
INSERT INTO venue VALUES (1, 'Toyota Park', 'Bridgeview', 0), (2, 'Columbus Crew Stadium', 'Columbus', 0), (3, 'RFK Stadium', 'Washington', 0);
SELECT venueid, venuename FROM venue WHERE venueid < 3 ORDER BY venueid;
SELECT NVL(venuecity, 'unknown') AS city, LEN(venuename) AS name_length FROM venue ORDER BY 1 LIMIT 1;
CREATE SCHEMA sales;
\dt
\d venue
\dn
\du
\l
SELECT * FROM no_such_table;
SELECT 1 AS still_alive;
