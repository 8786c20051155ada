"""Writes domain/common_passwords.txt: the passwords people pick first, which the policy refuses.

Not downloaded from a leak: composed from the words and patterns that dominate every published
analysis of French and English password habits (first names, clubs, cities, pets, keyboard walks,
"motdepasse", "azerty"...) and the decorations people add to them (years, 123, !). The policy also
normalises what people type (case, digits and symbols around a word, l33t spelling, repetition),
so each base word here stands for many variants.

    uv run --no-sync python services/identity/tools/generate_common_passwords.py
"""

from __future__ import annotations

from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "src" / "passerelle" / "identity" / "domain" / "common_passwords.txt"

GENERIC = """
password passw0rd motdepasse motdepass mdp secret secrets admin administrator administrateur root toor
login welcome bienvenue bonjour bonsoir salut coucou hello letmein changeme changezmoi default defaut
test testing essai demo guest invite utilisateur user username master access acces entrer sesame
iloveyou jetaime jeteaime teamo ichliebedich loveyou amour monamour moncoeur mylove lovely chouchou
doudou bisous calin cheri cherie bebe mabelle monbebe toujours forever foreveryoung
azerty azertyuiop qwerty qwertyuiop qwertz asdfgh asdfghjkl zxcvbn wxcvbn qsdfgh qsdfghjklm
azertyu qwertyu aqwzsx azsxdc zaqxsw qazwsx qweasd 1qaz2wsx 1q2w3e4r a1z2e3r4 a1b2c3d4
abcdef abcdefgh abcdefghijkl abc123 abcd1234 aaaaaa azazaz qwqwqw
nothing whatever trustno1 superman batman spiderman pokemon pikachu naruto goku sangoku dragonball
starwars jedi matrix minecraft fortnite roblox zelda mario nintendo playstation xbox
football soccer basketball tennis rugby handball cyclisme velo natation danse
sunshine soleil lumiere etoile etoiles princesse princess prince chevalier dragon licorne
papillon fleur fleurs rose tulipe marguerite printemps ete automne hiver
chocolat chocolate vanille fraise framboise cerise banane pomme orange citron caramel bonbon
chien chat chaton chiot lapin cheval poney tigre lion panthere loup renard ours dauphin
doggy kitty puppy bunny monkey singe tortue poisson oiseau
maison famille enfants enfant maman papa mamie papy tonton tata frere soeur cousin
liberte egalite fraternite france francais bretagne provence normandie alsace corse
paris marseille lyon toulouse nice nantes strasbourg montpellier bordeaux lille rennes reims
lehavre toulon grenoble dijon angers nimes brest limoges tours amiens perpignan metz
besancon orleans rouen mulhouse caen nancy avignon poitiers
psg olympique om ol asse losc marseillais parisien allezlesbleus lesbleus olympiquedemarseille
parissaintgermain realmadrid barcelona barcelone juventus arsenal chelsea liverpool manchester
manutd milan bayern messi ronaldo zidane mbappe neymar griezmann benzema
nicolas thomas julien kevin alexandre maxime antoine guillaume romain pierre sebastien
jeremy florian mathieu mathis lucas hugo louis gabriel arthur jules leo raphael paul adam
nathan enzo tom theo clement quentin vincent olivier laurent philippe christophe david
michel jean jacques francois patrick eric frederic stephane didier thierry pascal
marie julie camille manon lea sarah laura emma chloe ines jade louise alice lina
sophie nathalie isabelle sandrine valerie celine stephanie aurelie emilie audrey
caroline christine catherine sylvie martine nicole monique francoise anne claire
juliette charlotte pauline lucie mathilde margaux oceane elodie melanie jessica
michael jennifer ashley jessica amanda daniel joshua andrew matthew robert william
charlie oscar max rocky lucky simba nala milou filou caramel minou titi toto tata
nounours doudou loulou chouchou bichette choupette pupuce poupette
azerty123 motdepasse1 password1
dieu jesus marie allah seigneur amen ange angel angels demon diable enfer paradis
musique music rock metal rap guitare piano batterie chanson danseur
voiture moto scooter camion avion bateau train
ordinateur computer internet google facebook instagram twitter youtube tiktok snapchat
windows microsoft apple iphone samsung android linux ubuntu orange free bouygues sfr
gmail hotmail yahoo outlook wanadoo laposte
travail boulot bureau entreprise societe patron directeur manager comptable
ecole college lycee universite etudiant professeur prof maitre formation apprenti apprentissage
alternance alternant cfa opco contrat cerfa employeur stage stagiaire
passerelle portail compte connexion identifiant
argent money dollar euro euros riche million banque
vacances plage soleil mer montagne campagne foret riviere ocean ile
noel paques anniversaire bonneannee joyeux happy birthday
victoire champion champions gagnant winner warrior guerrier ninja samourai viking pirate
shadow ghost killer hunter sniper soldier police pompier docteur
cheese pizza burger pasta kebab tacos sushi fromage baguette croissant
blue bleu rouge red vert green jaune yellow noir black blanc white violet purple gris
one two three un deux trois quatre cinq six sept huit neuf dix
lundi mardi mercredi jeudi vendredi samedi dimanche
janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre
january february march april may june july august september october november december
hiver summer winter spring autumn
freedom liberty justice peace paix love amour hope espoir faith
qwerty123 azerty1234 password123 admin123 root123 test123 user123 abc12345
""".split()  # noqa: SIM905 - a word list reads better as text

NUMERIC = [
    "123456789012",
    "1234567890",
    "0123456789",
    "9876543210",
    "111111111111",
    "000000000000",
    "123123123123",
    "121212121212",
    "112233445566",
    "147258369147",
    "159753159753",
    "123456123456",
    "098765432109",
    "1q2w3e4r5t6y",
    "a1b2c3d4e5f6",
    "1a2z3e4r5t6y",
    "azerty123456",
    "qwerty123456",
    "aze123aze123",
]

# Digits and symbols around a word are stripped by the policy before it looks here; prefixes are not.
PREFIXES = ["", "mon", "ma", "my", "i", "le", "la"]


def candidates() -> list[str]:
    found: set[str] = set(NUMERIC)
    for word in GENERIC:
        for prefix in PREFIXES:
            base = prefix + word
            if prefix and len(word) < 4:
                continue
            found.add(base)
        found.add(word * 2)
    return sorted(found)


def main() -> None:
    words = candidates()
    header = "# Common passwords refused by the policy (generated by tools/generate_common_passwords.py)\n"
    TARGET.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} entries written to {TARGET}")


if __name__ == "__main__":
    main()
