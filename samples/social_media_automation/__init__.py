"""Social-media automation sample: archive clips -> Airtable calendar -> social gateway."""
