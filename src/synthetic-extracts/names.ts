// Name lists for the synthetic population. Given names and surnames of the many origins found in
// England, in rough order of how common they are; they are drawn independently and at random
// (with Zipf-like weights), so no combination describes a real person. Streets, towns and
// postcode areas are invented (postcode area "DM", like the demo area, does not exist).

export const GIVEN_F = [
  'Olivia', 'Amelia', 'Isla', 'Ava', 'Lily', 'Freya', 'Ivy', 'Florence', 'Isabella', 'Mia',
  'Grace', 'Sophia', 'Willow', 'Emily', 'Ella', 'Evie', 'Poppy', 'Sophie', 'Charlotte', 'Jessica',
  'Aisha', 'Fatima', 'Maryam', 'Zara', 'Hannah', 'Chloe', 'Ruby', 'Daisy', 'Phoebe', 'Erin',
  'Katherine', 'Elizabeth', 'Abigail', 'Victoria', 'Rebecca', 'Samantha', 'Alexandra', 'Margaret', 'Jennifer', 'Deborah',
  'Priya', 'Anaya', 'Aaliyah', 'Amira', 'Hafsa', 'Khadija', 'Zainab', 'Noor', 'Inaya', 'Sana',
  'Niamh', 'Siobhan', 'Aoife', 'Ciara', 'Megan', 'Cerys', 'Seren', 'Eilidh', 'Kirsty', 'Morag',
  'Zofia', 'Zuzanna', 'Julia', 'Natalia', 'Alicja', 'Oliwia', 'Amelie', 'Ioana', 'Elena', 'Maria',
  'Amara', 'Chiamaka', 'Adaeze', 'Abena', 'Ama', 'Precious', 'Blessing', 'Mercy', 'Esther', 'Favour',
  'Mei', 'Xin', 'Ling', 'Hana', 'Yuki', 'Thi', 'Linh', 'Jasmine', 'Harpreet', 'Simran',
  'Gurleen', 'Ananya', 'Diya', 'Kavya', 'Leah', 'Rosie', 'Matilda', 'Eleanor', 'Harriet', 'Beatrice',
];

export const GIVEN_M = [
  'Muhammad', 'Oliver', 'Noah', 'George', 'Leo', 'Arthur', 'Oscar', 'Harry', 'Theodore', 'Jack',
  'Henry', 'Charlie', 'Freddie', 'Thomas', 'James', 'William', 'Alfie', 'Jacob', 'Joshua', 'Daniel',
  'Robert', 'Alexander', 'Benjamin', 'Samuel', 'Joseph', 'Matthew', 'Christopher', 'Nicholas', 'Edward', 'Anthony',
  'Ibrahim', 'Yusuf', 'Adam', 'Ali', 'Omar', 'Hamza', 'Zayn', 'Ayaan', 'Bilal', 'Idris',
  'Arjun', 'Aarav', 'Rohan', 'Vihaan', 'Krish', 'Dev', 'Harjit', 'Gurpreet', 'Sukhdeep', 'Ravi',
  'Callum', 'Liam', 'Sean', 'Ciaran', 'Oisin', 'Rhys', 'Dylan', 'Gethin', 'Ewan', 'Angus',
  'Jakub', 'Szymon', 'Kacper', 'Filip', 'Mateusz', 'Andrei', 'Luca', 'Mihai', 'Tomasz', 'Piotr',
  'Kofi', 'Kwame', 'Chinedu', 'Emeka', 'Tobi', 'Femi', 'Tunde', 'Kwabena', 'Samuel', 'Emmanuel',
  'Wei', 'Jun', 'Hiroshi', 'Minh', 'Duc', 'Ethan', 'Elijah', 'Isaac', 'Reuben', 'Finley',
  'Archie', 'Louis', 'Teddy', 'Jude', 'Hugo', 'Albie', 'Max', 'Stanley', 'Frederick', 'Michael',
];

export const GIVEN_ANY = ['Alex', 'Charlie', 'Sam', 'Jordan', 'Riley', 'Robin', 'Jamie', 'Morgan', 'Quinn', 'Rowan'];

/** Nicknames and variant spellings one agency may use where another has the registered name. */
export const NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  Robert: ['Bob', 'Rob', 'Bobby', 'Robbie'], William: ['Will', 'Bill', 'Billy', 'Liam'], Alexander: ['Alex', 'Xander', 'Sandy'],
  Benjamin: ['Ben', 'Benji'], Samuel: ['Sam', 'Sammy'], Joseph: ['Joe', 'Joey'], Daniel: ['Dan', 'Danny'],
  Thomas: ['Tom', 'Tommy'], James: ['Jim', 'Jamie', 'Jimmy'], Matthew: ['Matt'], Christopher: ['Chris', 'Kit'],
  Nicholas: ['Nick', 'Nicky'], Edward: ['Ed', 'Eddie', 'Ted', 'Teddy'], Anthony: ['Tony', 'Ant'], Michael: ['Mike', 'Mikey'],
  Frederick: ['Fred', 'Freddie'], Theodore: ['Theo', 'Ted', 'Teddy'], Henry: ['Harry', 'Hal'], Jacob: ['Jake'],
  Joshua: ['Josh'], Oliver: ['Ollie'], Archie: ['Archibald'], Alfie: ['Alfred'], Stanley: ['Stan'], Louis: ['Lou'],
  Muhammad: ['Mohammed', 'Mohammad', 'Mohamed', 'Mo'], Ibrahim: ['Ebrahim'], Yusuf: ['Yousef', 'Joseph'],
  Emmanuel: ['Manny'], Gurpreet: ['Preet'], Oisin: ['Osheen'], Sean: ['Shaun', 'Shawn'],
  Katherine: ['Kate', 'Katie', 'Kathryn', 'Catherine'], Elizabeth: ['Liz', 'Beth', 'Lizzie', 'Eliza'], Abigail: ['Abi', 'Abbie'],
  Victoria: ['Vicky', 'Tori'], Rebecca: ['Becky', 'Becca'], Samantha: ['Sam', 'Sammy'], Alexandra: ['Alex', 'Lexi', 'Sasha'],
  Margaret: ['Maggie', 'Peggy', 'Meg'], Jennifer: ['Jen', 'Jenny'], Deborah: ['Debbie', 'Deb'], Jessica: ['Jess', 'Jessie'],
  Isabella: ['Bella', 'Izzy', 'Isabel'], Charlotte: ['Lottie', 'Charlie'], Eleanor: ['Ellie', 'Nell'], Harriet: ['Hattie'],
  Beatrice: ['Bea'], Matilda: ['Tilly'], Florence: ['Flo', 'Florrie'], Sophia: ['Sophie'], Olivia: ['Liv', 'Livvy'],
  Amelia: ['Millie', 'Amy'], Zofia: ['Sophia', 'Zosia'], Natalia: ['Natalie', 'Tasha'], Maryam: ['Mariam', 'Miriam'],
  Fatima: ['Fatimah'], Khadija: ['Khadijah'], Siobhan: ['Shivaun'], Aoife: ['Eva'], Hannah: ['Hanna'], Leah: ['Lea'],
};

export const SURNAMES = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson',
  'Roberts', 'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall',
  'Khan', 'Patel', 'Ali', 'Ahmed', 'Hussain', 'Begum', 'Shah', 'Akhtar', 'Iqbal', 'Rahman',
  'Lewis', 'Harris', 'Clarke', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward',
  'Morris', 'Moore', 'Clark', 'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen', 'James',
  'Scott', 'Phillips', 'Watson', 'Davis', 'Parker', 'Price', 'Bennett', 'Young', 'Griffiths', 'Mitchell',
  'Kelly', 'Cook', 'Carter', 'Richardson', 'Bailey', 'Collins', 'Bell', 'Shaw', 'Murphy', 'Miller',
  'Singh', 'Kaur', 'Sharma', 'Kumar', 'Gill', 'Sandhu', 'Mistry', 'Chauhan', 'Desai', 'Mehta',
  'Cox', 'Richards', 'Khalid', 'Mahmood', 'Hassan', 'Mohamed', 'Ibrahim', 'Yusuf', 'Abdi', 'Osman',
  'Nowak', 'Kowalski', 'Wisniewski', 'Kaminski', 'Lewandowski', 'Zielinski', 'Popescu', 'Ionescu', 'Popa', 'Rossi',
  'Okafor', 'Okonkwo', 'Adeyemi', 'Mensah', 'Owusu', 'Boateng', 'Asante', 'Oduya', 'Adebayo', 'Eze',
  "O'Brien", "O'Connor", "O'Neill", "O'Sullivan", 'McDonald', 'MacDonald', 'McLaughlin', 'Campbell', 'Stewart', 'Murray',
  'Chen', 'Wang', 'Li', 'Zhang', 'Liu', 'Nguyen', 'Tran', 'Pham', 'Kim', 'Park',
  'Howard', 'Marshall', 'Graham', 'Palmer', 'Gray', 'Hunt', 'Holmes', 'Mills', 'Barnes', 'Knight',
  'Lloyd', 'Butler', 'Russell', 'Barker', 'Fisher', 'Stevens', 'Jenkins', 'Dixon', 'Fletcher', 'Webb',
  'Simpson', 'Matthews', 'Rose', 'Davidson', 'Ellis', 'Powell', 'Chapman', 'Webster', 'Gibson', 'Wallace',
  'Fernandes', 'Da Silva', 'Santos', 'Pereira', 'Rodrigues', 'Garcia', 'Lopez', 'Martinez', 'Gonzalez', 'Fernandez',
  'Walsh', 'Ryan', 'Byrne', 'Doyle', 'Quinn', 'Gallagher', 'Kennedy', 'Lynch', 'Reilly', 'Brennan',
  'Mills', 'Pearson', 'Hudson', 'Spencer', 'Cole', 'Burton', 'Harvey', 'Reid', 'Lawrence', 'Saunders',
  'Demir', 'Yilmaz', 'Kaya', 'Celik', 'Ozturk', 'Papadopoulos', 'Georgiou', 'Christou', 'Ahmadi', 'Hosseini',
  'Bhatti', 'Chaudhry', 'Malik', 'Qureshi', 'Siddiqui', 'Mirza', 'Raza', 'Haider', 'Butt', 'Sheikh',
  'Atkinson', 'Nicholson', 'Armstrong', 'Fox', 'Lamb', 'Dunn', 'Hart', 'Kaye', 'Lowe', 'Booth',
  'Begum-Ali', 'Smith-Jones', 'Lloyd-Williams', 'Vaughan-Thomas', 'Hughes-Davies', 'Ashworth', 'Whitfield', 'Featherstone', 'Pemberton', 'Oyelaran',
];

export const STREET_WORDS = [
  'Oak', 'Mill', 'Church', 'Station', 'Park', 'Victoria', 'Elm', 'Meadow', 'Orchard', 'Willow',
  'Chapel', 'Springfield', 'Highfield', 'Kingsway', 'Ash', 'Beech', 'Maple', 'Hawthorn', 'Birch', 'Cedar',
  'Rose', 'Heather', 'Primrose', 'Windmill', 'Brook', 'Riverside', 'Canal', 'Green', 'Manor', 'Grange',
];
export const STREET_TYPES = ['Road', 'Street', 'Lane', 'Close', 'Avenue', 'Drive', 'Way', 'Gardens', 'Crescent', 'Court', 'Grove', 'Terrace'];
export const STREET_ABBREVIATIONS: Readonly<Record<string, string>> = {
  Road: 'Rd', Street: 'St', Lane: 'Ln', Close: 'Cl', Avenue: 'Ave', Drive: 'Dr', Gardens: 'Gdns', Crescent: 'Cres', Court: 'Ct', Terrace: 'Ter',
};

/** Invented towns of the invented county, each with its own postcode districts. */
export const TOWNS = ['Demoford', 'Sampleton', 'Mockbury', 'Fableham', 'Pretendale', 'Trialworth', 'Madeupley', 'Exampleby'];
export const LOCALITIES = ['Upper End', 'Lower Green', 'Northside', 'Southgate', 'West Park', 'Eastfield', 'Old Town', 'New Town', ''];

export const SCHOOL_KINDS = {
  primary: ['Primary School', 'Primary Academy', 'Infant and Junior School', "C of E Primary School"],
  secondary: ['Academy', 'High School', 'Secondary School', 'Community College'],
  special: ['Special School', 'School for Communication and Interaction'],
  college: ['College', 'Sixth Form College'],
} as const;

/**
 * The long tail of rarer surnames: English place-name surnames put together from common parts
 * (Ash + worth, Thorn + ley ...). Most people in England have a surname outside the few hundred
 * most common ones, so the population draws from here about half the time.
 */
export const SURNAME_PARTS = {
  starts: [
    'Ash', 'Brad', 'Brook', 'Bur', 'Cal', 'Carl', 'Chad', 'Chester', 'Cliff', 'Col', 'Crom', 'Dal', 'Dun', 'Eld', 'Elm', 'Fair',
    'Farn', 'Fern', 'Gar', 'Gold', 'Green', 'Hal', 'Har', 'Hart', 'Hather', 'Hay', 'Hazel', 'Holl', 'Horn', 'Kent', 'Kings', 'Lang',
    'Lind', 'Mar', 'Mid', 'Moor', 'Nor', 'Oak', 'Pen', 'Prest', 'Rad', 'Red', 'Rock', 'Rose', 'Rush', 'Sand', 'Shel', 'Stan',
    'Stock', 'Stone', 'Sut', 'Thorn', 'Thur', 'Whit', 'Wil', 'Win', 'Wood', 'Wor', 'Wy', 'Yar',
  ],
  ends: [
    'by', 'bury', 'combe', 'croft', 'dale', 'den', 'ford', 'gate', 'ham', 'hurst', 'ington', 'land', 'ley', 'low', 'mere', 'more',
    'ridge', 'shaw', 'stead', 'stone', 'thorpe', 'ton', 'well', 'wick', 'wood', 'worth', 'field', 'cliffe', 'brook', 'holme',
  ],
} as const;
