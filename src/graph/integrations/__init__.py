"""Partner integrations: bulk upserts, automation, and webhooks."""
