package seed

// Name lists for seeded users and tenants: plain ASCII, so that emails
// built from them are valid without normalisation.
var (
	firstNames = []string{
		"Ada", "Alan", "Alice", "Amara", "Anna", "Arjun", "Beatriz", "Ben", "Carla", "Chen",
		"Chloe", "Daniel", "David", "Diego", "Elena", "Emma", "Farah", "Felix", "Grace", "Hana",
		"Hugo", "Ines", "Isaac", "Ivan", "Jana", "Javier", "Jonas", "Julia", "Kai", "Kenji",
		"Laura", "Leila", "Liam", "Lina", "Lucas", "Maya", "Mateo", "Mia", "Nadia", "Noah",
		"Olga", "Omar", "Paula", "Pedro", "Priya", "Quinn", "Rafael", "Rosa", "Sami", "Sara",
		"Sofia", "Tariq", "Theo", "Uma", "Victor", "Wei", "Yara", "Yusuf", "Zara", "Zoe",
	}
	lastNames = []string{
		"Abe", "Adeyemi", "Almeida", "Andersen", "Bauer", "Becker", "Bianchi", "Brown", "Costa", "Dubois",
		"Eriksen", "Fischer", "Garcia", "Gomez", "Gupta", "Hansen", "Hoffmann", "Ito", "Jensen", "Kim",
		"Kowalski", "Larsen", "Lee", "Lopez", "Martin", "Meyer", "Moreau", "Muller", "Nakamura", "Nguyen",
		"Novak", "Okafor", "Olsen", "Patel", "Pereira", "Petrov", "Rossi", "Santos", "Schmidt", "Silva",
		"Singh", "Smith", "Sousa", "Suzuki", "Tanaka", "Tran", "Wagner", "Wang", "Weber", "Zhang",
	}
	domains = []string{
		"example.com", "example.org", "example.net", "mail.example.com", "corp.example",
		"acme.example", "globex.example", "initech.example", "umbrella.example", "hooli.example",
	}
	companies = []string{
		"Acme", "Blue Harbor", "Cedar", "Delta", "Evergreen", "Foxglove", "Granite", "Helix",
		"Iris", "Juniper", "Kestrel", "Lumen", "Meridian", "Northwind", "Orchid", "Pioneer",
	}
	suffixes = []string{"Labs", "Health", "Retail", "Logistics", "Studio", "Finance", "Travel", "Energy"}
)
