"""What changes state when someone signs in through a municipality's OpenID Connect provider."""
