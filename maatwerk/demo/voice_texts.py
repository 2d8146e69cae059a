"""The texts of the demo's voices: what clients, workers, team leads, policy and partner agencies say, written
for the demo (invented, like every household). Positive, critical and mixed, each with one or two themes of
the seeded list (cases migration 0005_themes). Client quotes may name the household's own people through
the placeholders {first} (the applicant), {partner}, {child} and {last} (the household's name), so that the
anonymiser has names to catch; a quote is only used for a household that has the people it names.

Each entry is (tone, themes, text); conversation entries carry the speaker's roles too (a role, never a
name; partner agencies by their role at the agency).
"""

POSITIVE, CRITICAL, MIXED = "positive", "critical", "mixed"

COSTS = "kostenbewustzijn"
RESCUE = "redden of zelfredzaamheid"
WORKLOAD = "werkdruk"
AGENCIES = "samenwerking met instanties"
RULES = "regels die knellen"
TRUST = "vertrouwen en ruimte"
DEBTS = "schulden en boetes"
EXPLAIN = "informatie en uitleg"

THEME_NAMES = (COSTS, RESCUE, WORKLOAD, AGENCIES, RULES, TRUST, DEBTS, EXPLAIN)

# --- clients, at closing --------------------------------------------------------------------------------

CLIENT_QUOTES = [
    (
        POSITIVE,
        (TRUST,),
        "Voor het eerst zat er iemand tegenover me die zei: dit lossen we samen op. En dat deed ze ook.",
    ),
    (
        POSITIVE,
        (AGENCIES,),
        "Ze belde zelf met de Belastingdienst terwijl ik ernaast zat. Binnen een week was het geregeld.",
    ),
    (
        POSITIVE,
        (AGENCIES, EXPLAIN),
        "Ik hoefde niet meer van loket naar loket. Eén persoon die alles overzag, dat maakte het verschil.",
    ),
    (
        POSITIVE,
        (TRUST,),
        "Binnen een week lag er geld voor de borg. Ik had al dozen gehaald om bij mijn zus in te trekken.",
    ),
    (POSITIVE, (DEBTS,), "Sinds de boetes in één regeling zitten, durf ik de post weer open te maken."),
    (POSITIVE, (EXPLAIN,), "Ik kreeg uitleg in gewone taal. Nu weet ik eindelijk welke brief van wie komt."),
    (
        POSITIVE,
        (DEBTS,),
        "{child} kan weer naar voetbal en ik slaap weer door. Meer hoef ik er niet over te zeggen.",
    ),
    (
        POSITIVE,
        (TRUST,),
        "Mijn partner {partner} had de moed al opgegeven. Nu hebben we allebei weer overzicht, en rust.",
    ),
    (
        POSITIVE,
        (DEBTS, TRUST),
        "Ze zei: '{first}, eerst zorgen we dat het licht aanblijft, de rest komt daarna.' Dat gaf lucht.",
    ),
    (
        POSITIVE,
        (RESCUE,),
        "Het werd niet voor me gedaan maar met me. Het volgende formulier vul ik zelf in, dat weet ik zeker.",
    ),
    (
        POSITIVE,
        (RULES,),
        "Toen {child} achttien werd, stopte alles tegelijk. Zonder het wijkteam was hij van school gegaan.",
    ),
    (
        POSITIVE,
        (TRUST,),
        "Bij de instanties was ik 'het dossier {last}'. Hier vroegen ze gewoon wat ik zelf wilde.",
    ),
    (
        POSITIVE,
        (AGENCIES,),
        "Ik kan weer werken omdat de opvang doorliep. Dat had ik alleen nooit voor elkaar gekregen.",
    ),
    (CRITICAL, (AGENCIES,), "Ook nu zat ik weer bij drie mensen aan tafel die allemaal hetzelfde vroegen."),
    (
        CRITICAL,
        (DEBTS, WORKLOAD),
        "Tussen mijn aanmelding en het eerste gesprek zaten zes weken. Ondertussen liep de schuld gewoon "
        "door.",
    ),
    (
        CRITICAL,
        (DEBTS, AGENCIES),
        "De regeling met het CJIB kwam er pas toen mijn rijbewijs al was ingenomen. Te laat dus.",
    ),
    (
        CRITICAL,
        (EXPLAIN, RULES),
        "Ik snap nog steeds niet waarom mijn toeslag werd verrekend. Niemand kon het me uitleggen.",
    ),
    (CRITICAL, (WORKLOAD,), "Mijn begeleider wisselde twee keer. Elke keer begon ik weer bij nul."),
    (
        CRITICAL,
        (TRUST,),
        "Het voelde alsof ik moest bewijzen dat ik het verdiende. Dat doet pijn als je al op de bodem zit.",
    ),
    (
        CRITICAL,
        (EXPLAIN,),
        "{partner} en ik kregen allebei een brief met een ander bedrag erin. Dat kan toch niet kloppen?",
    ),
    (
        CRITICAL,
        (RESCUE,),
        "Na het afsluiten hoorde ik niets meer. Ik wist niet of ik nu zelf verder moest of niet.",
    ),
    (
        CRITICAL,
        (RULES, DEBTS),
        "Er werd veel beloofd, maar mijn beslagvrije voet klopte nog steeds niet en er bleef te weinig over "
        "voor boodschappen.",
    ),
    (
        CRITICAL,
        (RULES,),
        "Ze zeiden letterlijk: 'familie {last}, we kunnen pas helpen als het echt misgaat.' Waarom niet "
        "eerder?",
    ),
    (MIXED, (DEBTS,), "De hulp was goed, alleen had ik haar een jaar eerder nodig gehad."),
    (
        MIXED,
        (RESCUE,),
        "Fijn dat de huur nu betaald wordt, maar ik voel me nog steeds afhankelijk. Ik wil het zelf kunnen.",
    ),
    (
        MIXED,
        (AGENCIES,),
        "Het wijkteam deed echt zijn best, de instanties een stuk minder. Daar loop je dan toch weer op "
        "vast.",
    ),
    (
        MIXED,
        (EXPLAIN,),
        "Het is gelukt zonder dat {child} er veel van merkte. Maar ik was op van alle afspraken en "
        "formulieren.",
    ),
    (
        MIXED,
        (RESCUE, COSTS),
        "Het geld voor de opvang was een redding. Alleen weet ik niet wat er gebeurt als het volgend jaar "
        "weer misgaat.",
    ),
    (
        MIXED,
        (RULES,),
        "Goed geholpen, maar waarom moest het eerst zo mis gaan voordat iemand mocht helpen?",
    ),
    (
        MIXED,
        (TRUST, EXPLAIN),
        "Op elke brief stond alleen '{first} {last}' met een dossiernummer. Hier werd ik eindelijk gezien, "
        "al duurde het lang voor ik hier terechtkwam.",
    ),
    (
        MIXED,
        (COSTS, DEBTS),
        "De auto heeft me aan het werk geholpen. Maar de lening aflossen valt zwaarder dan ik had gedacht.",
    ),
    (
        MIXED,
        (AGENCIES,),
        "Ik ben blij met de regeling. Al blijft het vreemd dat één telefoontje van het wijkteam meer doet "
        "dan al mijn brieven.",
    ),
    (
        MIXED,
        (RESCUE,),
        "{first} {last} die hulp vraagt, dat had ik nooit gedacht. Het viel me zwaar, maar het was nodig.",
    ),
]

# --- workers, the reflection at closing -------------------------------------------------------------------

DOUBTS = [
    (POSITIVE, (RESCUE,), "Ik twijfelde of ik niet te veel overnam, maar ze pakte het daarna zelf op."),
    (
        POSITIVE,
        (COSTS,),
        "Even getwijfeld of het budget wel nodig was. Achteraf had elke week wachten meer gekost.",
    ),
    (
        MIXED,
        (COSTS, RESCUE),
        "Heb ik niet te vroeg naar het budget gegrepen? Met een paar weken geduld was er misschien een "
        "andere route geweest.",
    ),
    (
        MIXED,
        (RESCUE, EXPLAIN),
        "Ik weet niet of het gezin zonder mij de volgende brief van Toeslagen aankan.",
    ),
    (MIXED, (TRUST,), "Of ik bij een ander gezin met hetzelfde verhaal net zo ruim had beslist."),
    (MIXED, (RESCUE,), "Het resultaat is goed, maar houdt het stand als de nazorg stopt?"),
    (
        CRITICAL,
        (DEBTS, RESCUE),
        "Hebben we het probleem opgelost, of alleen een paar maanden vooruitgeschoven?",
    ),
    (
        CRITICAL,
        (COSTS,),
        "Ik zie nu wat alles kost en word er moedeloos van. Elke oplossing voelt als een rekensom die ik "
        "moet verdedigen.",
    ),
    (
        CRITICAL,
        (WORKLOAD,),
        "Had ik wel genoeg tijd om echt te luisteren? Met deze caseload ren ik van huisbezoek naar "
        "huisbezoek.",
    ),
    (
        CRITICAL,
        (RULES,),
        "Heeft het zin om het knelpunt steeds te melden als er nooit iets mee gebeurt?",
    ),
]

DILEMMAS = [
    (
        MIXED,
        (RESCUE,),
        "Als we deze groep steeds eerder gaan redden, wat leren ze er dan van? Tegelijk kost wachten tot "
        "het misgaat het gezin veel meer.",
    ),
    (
        CRITICAL,
        (RESCUE,),
        "Redden of laten leren: ik heb de achterstand nu betaald, maar de volgende keer staan ze er weer "
        "alleen voor.",
    ),
    (
        CRITICAL,
        (WORKLOAD,),
        "Maatwerk kost tijd. Dit gezin kostte me drie keer zoveel uren als gewoonlijk, en die uren gingen "
        "van andere gezinnen af.",
    ),
    (MIXED, (TRUST,), "Wat zeg ik tegen de buren met hetzelfde probleem, die er nooit om vroegen?"),
    (
        CRITICAL,
        (RULES, DEBTS),
        "De beslagvrije voet was verkeerd berekend. Zelf de strijd aangaan met de deurwaarder, of eerst de "
        "huur veiligstellen?",
    ),
    (
        CRITICAL,
        (RULES,),
        "Toeslagen en de bijstand spreken elkaar tegen. Welke regel laat ik voorgaan als ze allebei gelden?",
    ),
    (
        MIXED,
        (DEBTS, AGENCIES),
        "Het CJIB wilde pas een regeling als de verhogingen betaald waren. Betalen we die uit het budget, "
        "of leggen we het knelpunt neer waar het hoort?",
    ),
    (
        MIXED,
        (COSTS, TRUST),
        "Wanneer is iets nog maatwerk, en wanneer wordt het een gewoonte die we niet kunnen volhouden?",
    ),
    (
        MIXED,
        (RESCUE, COSTS),
        "Ik kon het snel oplossen met geld, of langzaam samen met de cliënt. Ik koos voor snel en weet niet "
        "of dat goed was.",
    ),
    (
        POSITIVE,
        (TRUST,),
        "Mochten we afwijken van de regel? De teamleider gaf ruimte, en dat bleek terecht.",
    ),
    (
        POSITIVE,
        (COSTS, RULES),
        "Wachten op de bijzondere bijstand of voorschieten: we schoten voor en dat voorkwam een "
        "huisuitzetting.",
    ),
]

LEARNING_POINTS = [
    (
        POSITIVE,
        (AGENCIES,),
        "Meteen de SVB bellen in plaats van een brief sturen scheelde weken.",
    ),
    (
        POSITIVE,
        (COSTS,),
        "Met de business case erbij was het gesprek met de maatwerkfunctionaris kort en helder.",
    ),
    (
        POSITIVE,
        (RESCUE, EXPLAIN),
        "Samen met de cliënt de brief lezen werkt beter dan hem voor haar afhandelen.",
    ),
    (
        POSITIVE,
        (DEBTS,),
        "Eerst rust (huur, energie) en pas daarna de schulden: die volgorde werkt.",
    ),
    (
        POSITIVE,
        (TRUST,),
        "Mijn teamleider vertrouwde op mijn oordeel. Daardoor kon ik binnen een dag beslissen in plaats van "
        "na drie weken.",
    ),
    (
        POSITIVE,
        (AGENCIES,),
        "Het overleg met CAK en zorgverzekeraar aan één tafel leverde in een uur op wat per mail maanden "
        "duurt.",
    ),
    (
        MIXED,
        (TRUST,),
        "Bij twijfel eerst de maatwerkfunctionaris bellen; dat scheelt achteraf een lange verantwoording.",
    ),
    (
        MIXED,
        (COSTS,),
        "Kostenbewust werken helpt om keuzes uit te leggen, maar het bedrag mag het gesprek niet gaan "
        "bepalen.",
    ),
    (
        MIXED,
        (WORKLOAD, RESCUE),
        "Nazorg plannen op het moment van afsluiten; anders schiet het er met deze werkdruk bij in.",
    ),
    (
        CRITICAL,
        (RULES,),
        "Dit is geen probleem van één gezin. Zolang niemand boven ons het oppakt, lossen we het elke keer "
        "opnieuw op.",
    ),
    (
        CRITICAL,
        (RULES,),
        "Knellende regels bespreken we nu alleen onder elkaar. Ze moeten in het register, anders verandert "
        "er niets.",
    ),
    (
        CRITICAL,
        (RULES, EXPLAIN),
        "Ik had de verrekening door Toeslagen eerder moeten zien; we kwamen pas in actie toen het al "
        "misging.",
    ),
]

NEEDS = [
    (
        CRITICAL,
        (WORKLOAD,),
        "Meer tijd per gezin, of minder gezinnen: maatwerk past niet in een uur per week.",
    ),
    (
        MIXED,
        (AGENCIES,),
        "Een vaste contactpersoon bij het CJIB en de Belastingdienst die mag meedenken.",
    ),
    (MIXED, (RULES, DEBTS), "Iemand die meekijkt bij de beslagvrije voet; ik ben geen jurist."),
    (CRITICAL, (RULES,), "Terugkoppeling over wat er met onze gemelde knelpunten gebeurt."),
    (CRITICAL, (TRUST,), "Ruimte om af te wijken zonder eerst drie handtekeningen te verzamelen."),
    (
        POSITIVE,
        (RESCUE,),
        "Intervisie over de vraag wanneer we iets overnemen en wanneer we het bij de cliënt laten.",
    ),
    (CRITICAL, (WORKLOAD,), "Minder registratie, of registratie die mij zelf ook iets oplevert."),
    (
        POSITIVE,
        (COSTS, TRUST),
        "Steun van de manager om soms nu geld uit te geven en later meer te besparen.",
    ),
    (
        MIXED,
        (COSTS,),
        "Een overzicht van wat de opties kosten, zonder dat het een afrekening wordt.",
    ),
]

# --- conversations: (tone, themes, text, roles) -------------------------------------------------------

TEAM_LEAD_QUOTES = [
    (
        POSITIVE,
        (COSTS,),
        "Sinds we de business case gebruiken, hoef ik minder uit te leggen aan de gemeente. De cijfers "
        "spreken voor zich.",
        ("teamleider",),
    ),
    (
        POSITIVE,
        (TRUST,),
        "Ik geef mijn mensen ruimte om te beslissen. Het gaat vaker goed dan mis, en van dat laatste leren "
        "we.",
        ("teamleider", "coördinator wijkteam"),
    ),
    (
        POSITIVE,
        (TRUST, AGENCIES),
        "De korte lijn met de maatwerkfunctionaris scheelt ons weken.",
        ("teamleider",),
    ),
    (
        MIXED,
        (WORKLOAD,),
        "Het team is trots op wat het bereikt, maar ik zie ook dat de beste mensen het eerst opbranden.",
        ("teamleider", "coördinator wijkteam"),
    ),
    (
        MIXED,
        (TRUST,),
        "Vertrouwen geven is makkelijk gezegd. Gaat er iets fout, dan moet ik het wel uitleggen aan de "
        "wethouder.",
        ("teamleider",),
    ),
    (
        MIXED,
        (COSTS,),
        "Kostenbewustzijn is goed, maar in het teamoverleg gaat het nu meer over bedragen dan over mensen.",
        ("teamleider",),
    ),
    (
        CRITICAL,
        (RULES,),
        "We melden steeds dezelfde knelpunten met de toeslagen. Er komt niets terug, en dat demotiveert.",
        ("teamleider", "coördinator wijkteam"),
    ),
    (
        CRITICAL,
        (WORKLOAD,),
        "Maatwerk kost meer tijd dan de formatie toelaat. Dat staat in geen enkele evaluatie.",
        ("teamleider",),
    ),
    (
        CRITICAL,
        (RESCUE,),
        "Als we deze gezinnen steeds eerder redden, moeten we ook eerlijk zijn over wat dat met hun eigen "
        "kracht doet.",
        ("teamleider",),
    ),
]

POLICY_QUOTES = [
    (
        POSITIVE,
        (COSTS,),
        "De cijfers laten zien dat vroeg investeren zich terugbetaalt, zeker bij dreigende huisuitzetting.",
        ("projectleider", "adviseur financiën"),
    ),
    (
        POSITIVE,
        (TRUST,),
        "Dit programma leerde ons te werken vanuit de bedoeling van de wet, niet vanuit het loket.",
        ("projectleider", "manager sociaal domein"),
    ),
    (
        POSITIVE,
        (AGENCIES,),
        "De samenwerking met het CJIB is in een jaar van moeizaam naar vanzelfsprekend gegaan.",
        ("beleidsadviseur", "lid projectgroep"),
    ),
    (
        MIXED,
        (COSTS, TRUST),
        "We willen ruimte geven, maar de accountant wil weten waar elke euro heen gaat. Die spanning lossen "
        "we niet zomaar op.",
        ("manager sociaal domein", "adviseur financiën"),
    ),
    (
        MIXED,
        (EXPLAIN,),
        "De resultaten zijn hoopvol, maar ik mis de verhalen van de bewoners zelf in onze rapportages.",
        ("beleidsadviseur", "lid projectgroep"),
    ),
    (
        MIXED,
        (RESCUE,),
        "Eerlijk gezegd weten we nog niet of de gezinnen na een jaar nog op eigen benen staan.",
        ("projectleider",),
    ),
    (
        CRITICAL,
        (RULES,),
        "Wij schrijven de regels, en toch horen we pas in zo'n bijeenkomst waar ze knellen. Dat moet "
        "sneller.",
        ("beleidsadviseur", "lid projectgroep"),
    ),
    (
        CRITICAL,
        (COSTS,),
        "Het budget is elk jaar voor de zomer op. Dan wordt maatwerk toch weer standaard.",
        ("adviseur financiën", "projectleider"),
    ),
    (
        CRITICAL,
        (WORKLOAD, TRUST),
        "We vragen professionals om te reflecteren, maar we doen te weinig met hun leerpunten.",
        ("manager sociaal domein", "projectleider"),
    ),
]

PARTNER_QUOTES = [
    (
        POSITIVE,
        (DEBTS, AGENCIES),
        "Als het wijkteam belt, weten we dat er iemand meekijkt. Dan is een regeling zonder verhogingen "
        "vaak mogelijk.",
        ("medewerker CJIB",),
    ),
    (
        CRITICAL,
        (RULES, DEBTS),
        "Wij mogen verhogingen niet zomaar laten vallen. De wet is daar streng in, ook als we het anders "
        "zouden willen.",
        ("medewerker CJIB",),
    ),
    (
        MIXED,
        (RULES, AGENCIES),
        "De wil is er, maar onze systemen kennen geen uitzondering. Dan wordt het handwerk, en dat kost "
        "tijd.",
        ("klantmanager UWV",),
    ),
    (
        POSITIVE,
        (AGENCIES, EXPLAIN),
        "Een seintje van het wijkteam voordat een kind achttien wordt, voorkomt bij ons veel herstelwerk.",
        ("medewerker SVB",),
    ),
    (
        MIXED,
        (DEBTS, COSTS),
        "De bronheffing stoppen kan snel als de achterstand betaald is. Maar wie betaalt dan, en uit welk "
        "potje?",
        ("medewerker CAK",),
    ),
    (
        CRITICAL,
        (RULES, AGENCIES),
        "Verrekenen gaat bij ons automatisch. Om dat te doorbreken zijn meer mensen nodig dan we hebben.",
        ("medewerker Belastingdienst/Toeslagen",),
    ),
    (
        MIXED,
        (EXPLAIN, AGENCIES),
        "Via het maatwerkloket lukt het vaak wel, maar lang niet alle wijkteams weten dat het bestaat.",
        ("medewerker Belastingdienst/Toeslagen",),
    ),
    (
        POSITIVE,
        (COSTS, DEBTS),
        "Een huisuitzetting kost iedereen geld. Liever een vroeg telefoontje van het wijkteam dan een "
        "deurwaarder.",
        ("woonconsulent woningcorporatie",),
    ),
    (
        CRITICAL,
        (RULES, DEBTS),
        "Wij melden na zes maanden bij het CAK omdat het moet, niet omdat het iemand helpt.",
        ("medewerker zorgverzekeraar",),
    ),
    (
        POSITIVE,
        (AGENCIES, TRUST),
        "Sinds we elkaar kennen, bel ik het wijkteam zelf als ik zie dat iemand vastloopt.",
        ("klantmanager UWV", "medewerker SVB"),
    ),
]

# Clients at an interview or a residents' panel.
PANEL_QUOTES = [
    (
        POSITIVE,
        (TRUST,),
        "In de groep hoorde ik dat anderen hetzelfde meemaakten. Dat alleen al hielp.",
        ("deelnemer bewonerspanel",),
    ),
    (
        CRITICAL,
        (EXPLAIN,),
        "Ze vragen ons nu om onze mening, maar wie doet er straks iets mee?",
        ("deelnemer bewonerspanel", "bewoner"),
    ),
    (
        MIXED,
        (TRUST,),
        "Ik ben goed geholpen, maar mijn buurvrouw met precies hetzelfde probleem niet. Hoe kan dat?",
        ("bewoner",),
    ),
    (
        CRITICAL,
        (EXPLAIN, AGENCIES),
        "Elke instantie wil een ander papiertje. Ik heb een map van vijf centimeter dik.",
        ("bewoner", "deelnemer bewonerspanel"),
    ),
    (
        POSITIVE,
        (TRUST,),
        "Het verschil was dat ze bleef komen, ook toen ik zelf de moed had opgegeven.",
        ("bewoner",),
    ),
    (
        MIXED,
        (RESCUE,),
        "Hulp aannemen vond ik moeilijk. Achteraf had ik het eerder moeten vragen.",
        ("bewoner",),
    ),
    (
        CRITICAL,
        (DEBTS, RULES),
        "Eén gemiste betaling en de boete was ineens twee keer zo hoog. Dat leg je thuis niet meer uit.",
        ("bewoner", "deelnemer bewonerspanel"),
    ),
]

# Workers at a reflection meeting or an evaluation: (tone, themes, text, roles, kind).
WORKER_QUOTES = [
    (
        CRITICAL,
        (COSTS,),
        "Sinds ik bij elke stap zie wat het kost, voel ik me eerder boekhouder dan hulpverlener.",
        ("sociaal werker", "maatschappelijk werker"),
        "quote",
    ),
    (
        MIXED,
        (WORKLOAD,),
        "Maatwerk is mooi, maar het kost me per gezin een middag extra aan overleg en verantwoording.",
        ("sociaal werker", "schuldhulpverlener"),
        "quote",
    ),
    (
        POSITIVE,
        (TRUST,),
        "Mijn teamleider zegt: doe wat nodig is, ik sta achter je. Daardoor durf ik.",
        ("sociaal werker", "jongerencoach"),
        "quote",
    ),
    (
        MIXED,
        (RESCUE,),
        "Als we deze groep steeds eerder gaan redden, wat leren ze er dan van? Daar zijn we het in het team "
        "nog niet over eens.",
        ("sociaal werker", "maatschappelijk werker"),
        "dilemma",
    ),
    (
        CRITICAL,
        (RULES, DEBTS),
        "De beslagvrije voet wordt nog steeds verkeerd berekend, en wij zijn degenen die het moeten "
        "rechtzetten.",
        ("schuldhulpverlener",),
        "quote",
    ),
    (
        POSITIVE,
        (AGENCIES,),
        "Ik heb nu een contactpersoon bij Toeslagen. Eén mail en het is geregeld.",
        ("sociaal werker", "schuldhulpverlener"),
        "learning_point",
    ),
    (
        CRITICAL,
        (WORKLOAD,),
        "Ik wil elk gezin de tijd geven die het nodig heeft, maar de wachtlijst kijkt mee.",
        ("jongerencoach", "sociaal werker"),
        "quote",
    ),
]

# --- what the conversations were about (no names) -----------------------------------------------------------

CONTEXTS = {
    "reflection": [
        "Reflectiebijeenkomst van het wijkteam over de casussen van het afgelopen kwartaal: wat werkte en "
        "wat knelde.",
        "Teamreflectie over redden of zelfredzaamheid, met een medewerker van een instantie als gast.",
        "Intervisie over kostenbewustzijn en het gebruik van de business case.",
    ],
    "interview": [
        "Interviews met bewoners die het afgelopen halfjaar zijn geholpen, afgenomen door de teamleider.",
        "Gesprekken met bewoners over hoe zij de hulp en de nazorg hebben ervaren.",
    ],
    "focus_group": [
        "Bewonerspanel over brieven, uitleg en de bereikbaarheid van instanties.",
    ],
    "evaluation": [
        "Evaluatie van het programma met de projectgroep, teamleiders, professionals, bewoners en "
        "ketenpartners.",
        "Halfjaarlijkse evaluatie met de ketenpartners over knellende regels en samenwerking.",
    ],
}
