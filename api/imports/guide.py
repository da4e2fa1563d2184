"""The text of the template's "Lisez-moi" sheet: what the file is and how to fill it in, in French (the
template is French, DESIGN "Spreadsheet import"), one paragraph a row."""

from api.imports.rows import FIRST_DATA_ROW, SHEETS

TITLE = "Modèle d’import hrh : mode d’emploi"

GUIDE = (
    "Ce classeur sert à enregistrer des commandes dans le registre des personnels de santé (hrh) en une fois : "
    "chaque ligne remplie est vérifiée puis enregistrée comme si elle avait été saisie dans l’application, "
    "avec vos droits.",
    "Une feuille par commande, nommée d’après elle : " + ", ".join(SHEETS) + ". Les feuilles sont "
    "enregistrées dans cet ordre (les recrutements avant les affectations), quel que soit leur ordre dans le "
    "classeur. Ne renommez pas les feuilles ; une feuille inconnue est signalée comme une erreur. Vous pouvez "
    "supprimer les feuilles dont vous n’avez pas besoin, ou les laisser vides.",
    "Ligne 1 : le nom technique de chaque colonne. Ne la modifiez pas. Ligne 2 : le libellé en français ; "
    "« * » marque une colonne obligatoire. Les données commencent à la ligne "
    f"{FIRST_DATA_ROW}. Une ligne vide est ignorée.",
    "Dates : une cellule de date, ou un texte 2017-03-01 (année-mois-jour) ou 01/03/2017 (jour/mois/année). "
    "Toute autre écriture est refusée (BAD_DATE), sans deviner.",
    "Agent : dans toutes les feuilles sauf hireWorker et setEstablishment, l’agent est désigné soit par son "
    "identifiant (workerId), soit par son matricule (civilServiceNumber) : « (*) » marque ces deux colonnes, "
    "dont l’une doit être remplie. Un agent recruté plus haut dans le même fichier peut être désigné par son "
    "matricule. Dans correctWorkerDetails, le matricule désigne l’agent quand workerId est vide ; sinon il est "
    "le matricule corrigé.",
    "Codes : les établissements et les corps sont désignés par leur code, jamais par leur nom. Les listes "
    "déroulantes proposent les codes des établissements ouverts et des corps (feuille masquée « codes ») ; "
    "les listes des sexes, secteurs, sources de financement, motifs de départ et types de congé n’acceptent "
    "que leurs valeurs.",
    "commandId (facultatif) : l’identifiant de la commande. Sans lui, il est calculé à partir du contenu de la "
    "ligne et de sa position : envoyer deux fois le même fichier n’enregistre rien de plus. Pour corriger une "
    "ligne refusée, corrigez-la et renvoyez le fichier : les lignes déjà enregistrées sont reconnues.",
    "Formules : une formule doit avoir sa valeur calculée ; enregistrez le fichier dans un tableur avant de l’envoyer.",
    "Rapport : chaque erreur indique la feuille, la ligne, la colonne, la valeur, un code et un message. Une "
    "copie du classeur avec une colonne « Errors » ajoutée peut être téléchargée ; elle peut être corrigée et "
    "renvoyée telle quelle (cette colonne est ignorée).",
    "Un fichier CSV (UTF-8, séparateur « ; » ou « , ») contient une seule feuille : nommez-le d’après sa "
    "commande, par exemple hireWorker.csv.",
)
