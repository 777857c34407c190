"""The Train tab: the training controller/view and its plots."""
