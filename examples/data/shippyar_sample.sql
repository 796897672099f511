-- Shippyar-like sample schema and data (users, orders, order_items, shipments with foreign keys).
-- psql -v scale=N: 1 is ~100k orders (~70 MB); fractions work (0.05 is ~5k orders).
\set scale :scale
CREATE EXTENSION IF NOT EXISTS pgcrypto;
DROP TABLE IF EXISTS order_items, shipments, orders, users CASCADE;
CREATE TABLE users (
  id bigint PRIMARY KEY,
  email text NOT NULL UNIQUE,
  full_name text NOT NULL,
  created_at timestamptz NOT NULL,
  deleted_at timestamptz
);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users(id),
  status text NOT NULL,
  total_cents bigint NOT NULL,
  currency char(3) NOT NULL DEFAULT 'USD',
  created_at timestamptz NOT NULL,
  deleted_at timestamptz,
  details jsonb NOT NULL
);
CREATE TABLE order_items (
  order_id bigint NOT NULL REFERENCES orders(id),
  line_no int NOT NULL,
  sku text NOT NULL,
  qty int NOT NULL,
  price_cents bigint NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
CREATE TABLE shipments (
  id bigint PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES orders(id),
  carrier text NOT NULL,
  tracking_no text NOT NULL,
  shipped_at timestamptz,
  delivered_at timestamptz,
  label bytea
);
INSERT INTO users
SELECT g, 'user' || g || '@example.com', 'User ' || md5(g::text),
       now() - (g % 1000) * interval '1 day', CASE WHEN g % 50 = 0 THEN now() END
FROM generate_series(1, (20000 * :scale)::bigint) g;
INSERT INTO orders
SELECT g, 1 + (g::bigint * 7919) % ((20000 * :scale)::bigint),
       (ARRAY['new','paid','shipped','delivered','cancelled'])[1 + g % 5],
       (g::bigint * 31) % 100000, 'USD', now() - (g % 720) * interval '1 hour',
       CASE WHEN g % 97 = 0 THEN now() END,
       jsonb_build_object('channel', (ARRAY['web','ios','android','api'])[1 + g % 4],
                          'note', md5(g::text), 'weight_g', g % 5000)
FROM generate_series(1, (100000 * :scale)::bigint) g;
INSERT INTO order_items
SELECT o, l, 'SKU-' || ((o::bigint * l) % 10000), 1 + (o + l) % 5, (o::bigint * 13 + l) % 20000
FROM generate_series(1, (100000 * :scale)::bigint) o, generate_series(1, 3) l;
INSERT INTO shipments
SELECT g, g, (ARRAY['dhl','ups','fedex','usps'])[1 + g % 4], upper(md5(g::text)),
       now() - (g % 700) * interval '1 hour', CASE WHEN g % 3 = 0 THEN now() END,
       CASE WHEN g % 10 = 0 THEN gen_random_bytes(512) END
FROM generate_series(1, (80000 * :scale)::bigint) g;
CREATE INDEX ON orders (user_id);
CREATE INDEX ON orders (created_at);
CREATE INDEX ON shipments (order_id);
ANALYZE;
