"""Loading the demo municipality."""
