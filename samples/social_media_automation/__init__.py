"""Social-media automation sample (issue 6): archive clips -> Airtable calendar -> gateway."""
