"""The victim portal: removal requests without an account, photos hashed on the device."""
