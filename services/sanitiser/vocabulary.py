"""Word lists the sanitiser's detectors consult: given names, titles, place and role nouns."""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a block of text."""
    return frozenset(text.split())


# Common given names in the UK across generations and communities (not exhaustive: context rules
# catch names missing from here).
GIVEN_NAMES = words("""
Aaron Abdul Abigail Abdullah Adam Adrian Aidan Aisha Alan Albert Alex Alexander Alexandra Alfie Ali
Alice Alison Amanda Amara Amelia Amir Amira Amy Andrea Andrew Andy Angela Anita Ann Anna Anne Annie
Anthony Archie Arjun Arthur Ashley Aston Ava Ayesha Barbara Barry Ben Benjamin Benny Beth Bethany
Billy Bobby Brad Bradley Brandon Brenda Brian Bridget Bruce Bryony Caitlin Callum Cameron Carl Carla
Carly Carol Caroline Casey Catherine Charlie Charlotte Chelsea Chloe Chris Christina Christine
Christopher Ciara Claire Clare Colin Connor Corey Courtney Craig Daisy Dale Damian Damien Daniel
Danielle Danny Darren Dave David Dean Debbie Deborah Declan Demi Denise Dennis Derek Destiny Dexter
Diane Dominic Donna Dylan Eddie Edward Eileen Elaine Eleanor Elena Eliza Elizabeth Ella Ellie Elliot
Elliott Emily Emma Eric Erin Ethan Evan Evie Faisal Fatima Finley Finn Fiona Florence Francesca
Frankie Fred Freddie Freya Gareth Gary Gavin Gemma Geoffrey George Georgia Gerald Gordon Graham
Hamza Hannah Harley Harriet Harrison Harry Harvey Hassan Hayden Hayley Heather Helen Henry Holly
Hugo Hussain Ian Imran Isaac Isabel Isabella Isabelle Isla Ivan Jack Jackson Jacob Jade Jake Jamal
James Jamie Jan Jane Janet Jason Jasmine Jay Jayden Jeff Jenna Jennifer Jenny Jeremy Jermaine Jess
Jessica Jim Jimmy Joan Joanne Jodie Joe Joel Joey John Johnny Jonathan Jordan Jordy Joseph Josh
Joshua Josie Joyce Judith Julia Julie Junior Justin Kai Kane Karen Karl Kate Katie Kayden Kayla
Keith Kelly Kenneth Kerry Kevin Khalid Kian Kieran Kim Kirsty Kyle Lacey Laura Lauren Layla Leah
Lee Leila Leo Leon Leonard Lewis Liam Lily Linda Lisa Logan Lola Louie Louis Louise Lucas Lucy
Luke Lydia Luther Mackenzie Maddison Madison Mandy Marcus Maria Marie Martin Martina Mary Mason
Matt Matthew Maureen Max Maya Megan Melissa Michael Michelle Mick Mike Mitchell Mohamed Mohammed
Muhammad Molly Nadia Naomi Nathan Neil Nicholas Nick Nicola Nicole Niamh Noah Norman Olivia Oliver
Ollie Omar Oscar Owen Paige Pamela Patricia Patrick Paul Paula Pauline Peter Philip Phoebe Poppy
Priya Rachel Rahul Raj Rebecca Reece Rhys Ricky Rico Riley Rio Robert Robbie Robin Roger Ronnie
Rosie Ross Roxanne Ruby Russell Ryan Sadie Sally Sam Samantha Samuel Sandra Sanjay Sarah Scarlett
Scott Sean Sebastian Shane Shannon Sharon Shaun Shelley Sheila Shirley Sienna Simon Sinead Sofia
Sonia Sophie Stacey Stanley Stephanie Stephen Steve Steven Stuart Susan Suzanne Tanya Tara Terrell
Terry Theo Thomas Tia Tiffany Tim Timothy Toby Tom Tommy Tony Tracey Tracy Trevor Tyler Tyrone
Usman Vanessa Vicky Victoria Vincent Wayne Wendy William Yasmin Yusuf Zac Zach Zak Zara Zoe
Mia Willow Elsie Harper Aria Luna Ada Hallie Millie Matilda Emilia Esme Edie Maisie Lexi Lacey
Theodore Teddy Arlo Albie Rory Jude Ezra Elijah Alfred Louis Ronan Tobias Jenson Kayson Bobbie
Kacper Jakub Oskar Zuzanna Maja Aleksandra Piotr Tomasz Krzysztof Andrzej Fatma Mehmet Ahmed
Ibrahim Yasir Bilal Zainab Maryam Hafsa Simran Harpreet Gurpreet Manpreet Kiran Deepak Vikram
Anil Sunil Ravi Rohan Aarav Chidi Chinedu Emeka Kwame Kofi Ama Abena Ngozi Tunde Femi Segun
Shanice Tyreese Kyle Kayden Leighton Jaden Jayden Brooklyn Keeley Courtney Kirsty Stacey Nathan
""")

# Given names that are also everyday words: a name only with supporting context.
WORD_NAMES = words("""
Will Rose Grace Mark Hope Jack Dawn Amber Holly Joy Summer Frank Bill Sandy Faith Pat Rob Ray
Guy Victor Penny Robin Daisy Iris Ivy Jade Pearl Crystal Heather Rich Chase Hunter Miles Carol
Don Gene Sky Storm River Autumn Angel Honey Star Bob Sue Mo Reggie Ruby Olive Chance Destiny Harmony
""")

TITLES = words("Mr Mrs Ms Miss Mx Dr Prof Sir Dame Lord Lady Rev Revd Cllr Sgt Insp")

# Nouns that turn a preceding capitalised word into a place, premises or thing rather than a person.
PLACE_NOUNS = words("""
Road Rd Street St Avenue Ave Lane Close Drive Way Crescent Court Gardens Place Terrace Grove Walk
Mews Square Row Parade View Rise Tower Towers House Cottages Park Common Estate Precinct Centre
Center School Academy Primary College University Station Library Hospital Church Mosque Rec
Recreation Ground Quay Wharf Retail Shopping Leisure Surgery Practice Pharmacy Hostel Club Project
Trust Council Service Services line Line lines Lines Cathedral Flats
""")

CAR_MAKES = words("""
Seat Ford Vauxhall Toyota Nissan Honda Renault Peugeot Citroen Kia Hyundai Mercedes BMW Audi VW
Volkswagen Skoda Mini Fiat Mazda Land Range Rover Jaguar Volvo Tesla Suzuki Yamaha KTM Kawasaki
Dacia Lexus Porsche Subaru Mitsubishi Alfa Jeep Chevrolet Smart Vespa Piaggio
""")

LOCATIVE_WORDS = words("in into at near from towards toward around outside behind via through St St.")

# Capitalised words that are never a person's name in this kind of text.
NOT_NAMES = words("""
I I'm I've I'd I'll A An The This That These Those He She They We You It His Her Their Our My Your
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
August September October November December Year Police PCSO MAPPA CCTV DSL SHPO GBH MDMA NHS
Snapchat Instagram TikTok Facebook WhatsApp Discord Roblox YouTube Telegram PayPal Uber Twitter
Christmas Easter Ramadan Eid Diwali Black White Asian Mixed British English Irish Scottish Welsh
Northern Southern Eastern Western North South East West Central Upper Lower Great Little New Old
Uncle Auntie Aunt Nan Nanna Grandad Grandma Mum Dad Mam Brother Sister Cousin Mother Father
Head Deputy Teacher Tutor Officer Manager Worker Nurse Doctor Staff Team Parents Parent Pupils
Pupil Students Student Residents Resident Tenant Tenants Client Clients Driver Drivers Store Both
Some Several One Two Three Four Five Six Seven Eight Nine Ten Please Thanks Thank Hi Hello Dear
Also However When While After Before During Since Until If But And Or So Because Although Today
Yesterday Tomorrow Tonight Last Next Every Each Other Another Most Many Friends Friend Someone
""")

# Words after which a capitalised word is taken to be a person's name ("her partner Darren").
PERSON_CONTEXT_WORDS = words("""
brother sister cousin mum mother dad father son daughter boyfriend girlfriend partner ex-partner
friend uncle aunt auntie nan grandson granddaughter grandmother grandfather stepdad stepmum
neighbour carer child pupil student girl boy man woman lad teenager resident tenant occupant
driver client victim offender nominal leader dealer detective guard wife husband youth suspect
brothers sisters cousins friends children pupils students girls boys men women lads teenagers
residents tenants drivers victims offenders neighbours
""")

# Person-reference context phrases: the capitalised words after them are a name.
NAMING_PHRASES = (
    "called",
    "named",
    "known as",
    "calls himself",
    "calls herself",
    "calls themselves",
    "goes by",
    "nicknamed",
    "aka",
    "a.k.a.",
    "name is",
    "real name",
    "to be",
    "signed in as",
    "raps as",
    "posts as",
    "named him as",
    "named her as",
    "named them as",
    "name of",
    "name as",
)

# Self-descriptions of the reporter's job; "as his <one of these>" reveals who is reporting.
ROLE_NOUNS = (
    "form tutor",
    "tutor",
    "teacher",
    "head of year",
    "headteacher",
    "head teacher",
    "deputy head",
    "dsl",
    "designated safeguarding lead",
    "safeguarding lead",
    "social worker",
    "youth worker",
    "key worker",
    "keyworker",
    "support worker",
    "exploitation worker",
    "outreach worker",
    "probation officer",
    "offender manager",
    "housing officer",
    "housing support officer",
    "tenancy officer",
    "neighbourhood officer",
    "case worker",
    "caseworker",
    "case manager",
    "school nurse",
    "nurse",
    "mentor",
    "learning mentor",
    "coach",
    "senco",
    "teaching assistant",
    "pastoral lead",
    "family support worker",
    "practitioner",
    "caretaker",
    "manager",
    "officer",
    "worker",
    "lead",
    "adviser",
    "advisor",
    "counsellor",
    "therapist",
    "gp",
    "doctor",
    "carer",
    "foster carer",
    "supervisor",
    "warden",
    "ranger",
    "librarian",
    "pharmacist",
    "verger",
    "vicar",
    "coordinator",
    "co-ordinator",
    "clerk",
    "instructor",
)

# People the reporter might call "my ..." ("my pupil told me").
RELATION_NOUNS = (
    "pupil",
    "pupils",
    "student",
    "students",
    "client",
    "clients",
    "tenant",
    "tenants",
    "resident",
    "residents",
    "young person",
    "young people",
    "service user",
    "service users",
    "patient",
    "patients",
    "mentee",
    "mentees",
    "sixth former",
    "sixth formers",
    "caseload",
    "class",
    "form group",
    "tutor group",
    "foster carer",
    "foster carers",
    "postwoman",
    "postman",
    "learner",
    "learners",
    "children",
    "child",
    "kids",
    "case",
    "cases",
)

# Words that name a kind of organisation rather than which one ("Oakfield *Academy*").
ORG_TYPE_WORDS = words("""
school academy college primary secondary junior infant infants high grammar community centre
center hostel club church mosque temple gurdwara pharmacy surgery practice library cafe café
project trust home homes housing association foundation charity ltd limited cic group the of
and & for catholic c e ce cofe st st. saint children's childrens youth shopping extra store
""")

# Public bodies are named after places: their name without the type word is just a place.
PUBLIC_BODY_WORDS = words("""
council police constabulary probation nhs service services fire rescue hmpps borough county city
parish district authority department ministry government
""")

STREET_WORDS = (
    "Street",
    "St",
    "Road",
    "Rd",
    "Avenue",
    "Ave",
    "Lane",
    "Ln",
    "Close",
    "Drive",
    "Dr",
    "Way",
    "Crescent",
    "Court",
    "Ct",
    "Gardens",
    "Place",
    "Terrace",
    "Grove",
    "Hill",
    "Walk",
    "Mews",
    "Square",
    "Row",
    "Parade",
    "View",
    "Rise",
    "Tower",
    "Towers",
    "House",
    "Cottages",
    "Green",
    "Gate",
    "Wharf",
    "Quay",
    "Mansions",
    "Buildings",
    "Lodge",
    "Heights",
    "Park",
)

# Quoted capitalised phrases ending in these are business names, not nicknames.
BUSINESS_WORDS = words("""
Scaffolding Roofing Builders Building Motors Garage Services Ltd Limited Plumbing Electrical
Cleaning Deliveries Logistics Taxis Cars Autos Repairs Construction Landscaping Security
""")

# Surnames that are also everyday words: matched only when capitalised.
WORD_SURNAMES = words("""
Price Cross Marsh Shaw Kemp Castle Pike Cole Ball Lamb Stone Moss Wood Hill Green Brown White
Black Young King Bell Cook Baker Hall Long Little Hunter Fisher Field Bird Fox Wolf Swan Day
Knight Page Park Lane Bush Mills Walker Miller Mason Carter Turner Porter Reed Sharp Strong Small
Best Bond Booth Dean Frost Snow Winter Spring Rice Nash Lord Moon Bright Gold Silver Steel Bishop
Church Gray Grey Wise Love Noble Major Marshall Power Wells Banks Brooks Rivers Burns Flowers Head
Hart Horn Pond Pool Rock Ward Webb Wild Close Lea Chance Sterling Cash Butcher Mayor Parsons
""")

# Settlements and districts of the force area: an organisation named after one ("Eastleigh Youth
# Project") is protected by its full name, not by removing the place from the intelligence.
PLACE_NAMES = frozenset(
    word.replace("_", " ").lower()
    for word in words("""
Southampton Portsmouth Winchester Eastleigh Basingstoke Andover Havant Fareham Gosport Romsey
Totton Hedge_End Botley Bishopstoke Fair_Oak West_End Chandler's_Ford Alton Petersfield
Waterlooville Leigh_Park Emsworth Hayling_Island Locks_Heath Whiteley Titchfield Portchester
Stubbington Lee-on-the-Solent New_Milton Lymington Ringwood Fordingbridge Hythe Fawley Marchwood
Aldershot Farnborough Fleet Yateley Hook Tadley Whitchurch Stockbridge Bordon Liphook Horndean
Denmead Wickham Bishop's_Waltham Alresford Winnall Stanmore Badger_Farm Popley Winklebury
Brighton_Hill Oakridge South_Ham Chineham Shirley Portswood Swaythling Bitterne Woolston Sholing
Millbrook Lordshill Lordswood Bassett Freemantle Polygon Thornhill Harefield Townhill_Park
Redbridge Maybush Weston Peartree Itchen Highfield St_Denys Northam Bevois_Valley Fratton
Southsea Cosham Drayton Farlington Paulsgrove Hilsea North_End Buckland Landport Milton Eastney
Copnor Stamshaw Somers_Town Portsea Hampshire Solent Isle_of_Wight Bournemouth Reading London
Brighton Salisbury Chichester Guildford Surrey Dorset Wiltshire Berkshire Sussex Crawley Croydon
Birmingham Bristol Oxford Waverley New_Forest Test_Valley East_Hampshire Hart Rushmoor
Warsash Netley Bursledon Sarisbury Swanwick Park_Gate Holbury Blackfield Lyndhurst Brockenhurst
""")
)

# Familiar forms of given names beyond simple shortening ("Bill" for William).
SHORT_FORMS: dict[str, set[str]] = {
    "William": {"Will", "Bill", "Billy", "Liam"},
    "Robert": {"Rob", "Bob", "Bobby", "Robbie"},
    "Richard": {"Rich", "Rick", "Ricky", "Dick"},
    "Elizabeth": {"Liz", "Beth", "Lizzie", "Libby"},
    "Margaret": {"Maggie", "Meg", "Peggy"},
    "Katherine": {"Kate", "Katie", "Kath"},
    "Catherine": {"Kate", "Katie", "Cath"},
    "Edward": {"Ed", "Eddie", "Ted", "Ned"},
    "James": {"Jim", "Jimmy", "Jamie"},
    "Thomas": {"Tom", "Tommy"},
    "Anthony": {"Tony", "Ant"},
    "Michael": {"Mike", "Mick", "Mikey"},
    "Jonathan": {"Jon", "Jonny"},
    "John": {"Johnny", "Jack"},
    "Alexander": {"Alex", "Sandy", "Xander"},
    "Rebecca": {"Becky", "Becca"},
    "Victoria": {"Vicky", "Tori"},
    "Samuel": {"Sam", "Sammy"},
    "Christopher": {"Chris", "Kit"},
    "Daniel": {"Dan", "Danny"},
    "Matthew": {"Matt"},
    "Nicholas": {"Nick", "Nicky"},
    "Benjamin": {"Ben", "Benny"},
    "Joseph": {"Joe", "Joey"},
    "Joshua": {"Josh"},
    "Jessica": {"Jess", "Jessie"},
    "Stephen": {"Steve"},
    "Steven": {"Steve"},
    "Andrew": {"Andy", "Drew"},
    "Susan": {"Sue", "Suzy"},
    "Patricia": {"Pat", "Trish"},
    "Patrick": {"Pat", "Paddy"},
    "Jennifer": {"Jen", "Jenny"},
    "Deborah": {"Debbie", "Deb"},
    "Abigail": {"Abi", "Abby"},
    "Oliver": {"Ollie", "Olly"},
    "Charlotte": {"Charlie", "Lottie"},
    "Charles": {"Charlie", "Chas"},
    "Frederick": {"Fred", "Freddie"},
    "Henry": {"Harry", "Hal"},
}
