-- Instance types fixtures declare (SPEC section 13: a fixture may add a type or override one of the
-- catalogue's). Each row is the type's InstanceTypeInfo as the fixture gave it, as JSON text, checked
-- against the model when it was loaded; the catalogue shipped with the emulator is not stored.
CREATE TABLE instance_type (
  instance_type TEXT PRIMARY KEY NOT NULL CHECK (length(instance_type) BETWEEN 3 AND 64),
  info TEXT NOT NULL CHECK (json_valid(info))
) WITHOUT ROWID;
