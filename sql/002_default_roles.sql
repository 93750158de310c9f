-- The two roles every deployment has: "user", given to everyone who
-- registers, and "admin", needed for everything under /api/admin/.
INSERT INTO roles (name, description) VALUES
	('admin', 'Full access to the admin API'),
	('user', 'Default role of every registered user')
ON CONFLICT (name) DO NOTHING;
