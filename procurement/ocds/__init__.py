"""OCDS: mapping compiled releases to contract facts, and streaming them from files."""
