"""Vocabularies, templates and a vectorised template filler for ``monitor_sim_blind.py``.

Every pool here is shared: campaign traffic is built from the same task templates, instruction phrasings and
answer sentences as benign traffic, only mixed in other proportions (an adversary who used words nobody else uses
would be caught by a keyword filter and would not bother us). ``fill(spec, n, rng)`` returns a pyarrow string
array of ``n`` texts, each drawn from a template whose ``{slot}`` fields are filled from the pools (a pool entry may
itself hold templates, filled recursively; a callable pool returns an array).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_SLOT = re.compile(r"\{(\w+)\}")


def _ints(lo: int, hi: int) -> Callable:
    return lambda m, rng: pc.cast(pa.array(rng.integers(lo, hi, m)), pa.string())


def _decimals(lo: float, hi: float) -> Callable:
    return lambda m, rng: pc.cast(pa.array(np.round(rng.uniform(lo, hi, m), 2)), pa.string())


def _hexid(prefix: str, digits: int) -> Callable:
    def f(m, rng):
        v = rng.integers(0, 16 ** digits, m)
        return pa.array([f"{prefix}{x:0{digits}x}" for x in v])
    return f


# ----------------------------------------------------------------------------------------------------------- words
P: dict[str, object] = {
    "int_s": _ints(2, 20), "int_m": _ints(10, 200), "int_l": _ints(100, 5000), "year": _ints(1500, 2024),
    "dec": _decimals(0.5, 99.0), "order_no": _hexid("#", 8), "ticket": _hexid("TCK-", 6),
    "var": ["x", "y", "n", "k", "t", "z"],
    "name": ["Alice", "Bob", "Carmen", "Dmitri", "Emeka", "Fatima", "Giulia", "Hiro", "Ines", "Jamal", "Kenji",
             "Lena", "Mateo", "Nadia", "Oscar", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Uma", "Viktor",
             "Wen", "Ximena", "Yusuf", "Zara", "Maria", "John", "Sarah", "Wei", "Ahmed", "Olga", "Chloe"],
    "city": ["Lisbon", "Nairobi", "Osaka", "Denver", "Krakow", "Lagos", "Melbourne", "Toronto", "Lyon", "Pune",
             "Bogota", "Seoul", "Cairo", "Oslo", "Austin", "Manila", "Porto", "Hanoi", "Leeds", "Quito"],
    "lang": ["Python", "JavaScript", "TypeScript", "Java", "C++", "Go", "Rust", "SQL", "Bash", "C#", "Kotlin",
             "Ruby", "PHP", "Swift", "R"],
    "lang2": ["Python", "JavaScript", "Go", "Rust", "Java", "TypeScript", "C"],
    "pl": ["Spanish", "French", "German", "Portuguese", "Italian", "Japanese", "Chinese", "Korean", "Russian",
           "Dutch", "Polish", "Turkish", "Arabic", "Hindi", "Swedish", "Vietnamese", "Indonesian"],
    "error": ["a KeyError", "an IndexError", "a NullPointerException", "a segmentation fault", "a TypeError",
              "an off-by-one error", "a deadlock", "a race condition", "'undefined is not a function'",
              "a borrow checker error", "a stack overflow", "a timeout", "an ImportError", "a 500 error"],
    "code_goal": [
        "reverses a linked list", "parses a CSV file and returns the average of a column",
        "checks whether a string is a palindrome", "merges two sorted arrays", "finds the longest common prefix",
        "implements binary search", "deduplicates a list while keeping order", "validates an email address",
        "computes the nth Fibonacci number with memoization", "flattens a nested dictionary",
        "implements an LRU cache", "counts word frequencies in a file", "converts Roman numerals to integers",
        "retries an HTTP request with exponential backoff", "rate-limits calls with a token bucket",
        "detects a cycle in a directed graph", "computes Dijkstra's shortest paths", "implements quicksort",
        "serialises a binary tree", "groups anagrams together", "finds the k most frequent elements",
        "parses ISO-8601 dates", "chunks a list into batches of size n", "implements a trie",
        "reads a large file line by line without loading it all", "debounces a function",
        "computes the median of a stream", "validates a sudoku board", "rotates a matrix by 90 degrees",
        "implements a thread-safe queue", "paginates results from a REST API", "hashes passwords safely",
        "removes duplicate rows from a table", "computes a running total per user", "tokenises a sentence",
        "implements matrix multiplication", "solves the knapsack problem", "finds all permutations of a string",
        "checks balanced parentheses", "converts JSON to YAML", "implements a min-heap", "schedules cron jobs",
    ],
    "snippet": [
        "for i in range(len(items)):\n    if items[i] == target:\n        del items[i]",
        "const data = await fetch(url).json();\nconsole.log(data.items.length);",
        "SELECT user_id, COUNT(*) FROM orders GROUP BY 1 HAVING COUNT(*) > 5 ORDER BY 2;",
        "fn main() {\n    let v = vec![1, 2, 3];\n    let first = &v[0];\n    v.push(4);\n}",
        "def add(item, bucket=[]):\n    bucket.append(item)\n    return bucket",
        "while (i <= n) {\n  sum += arr[i];\n  i++;\n}",
        "df = pd.read_csv(path)\ndf['total'] = df.groupby('id')['amount'].sum()",
        "go func() {\n    results <- compute(x)\n}()\nreturn <-results",
        "public int size() { return this.items.size() - 1; }",
        "if [ $count -gt 10 ]\nthen echo \"too many\"\nfi",
    ],
    "concept": [
        "quantum entanglement", "photosynthesis", "inflation", "the Krebs cycle", "general relativity",
        "supply and demand", "natural selection", "blockchain", "the central limit theorem", "plate tectonics",
        "neural networks", "compound interest", "the French Revolution", "CRISPR", "black holes", "entropy",
        "the immune system", "game theory", "the Doppler effect", "monetary policy", "Bayes' theorem",
        "the water cycle", "public key cryptography", "gradient descent", "the Cold War", "mitochondria",
        "opportunity cost", "the greenhouse effect", "Fourier transforms", "the Renaissance", "vaccines",
        "recursion", "eigenvalues", "the stock market", "climate change", "the Silk Road", "antibiotic resistance",
        "the Pythagorean theorem", "machine learning", "the Industrial Revolution", "DNA replication",
        "cognitive dissonance", "the theory of evolution", "interest rates", "the Roman Empire", "superconductors",
    ],
    "event": ["World War I", "the fall of the Berlin Wall", "the 2008 financial crisis", "the printing press",
              "the moon landing", "the Great Depression", "the collapse of the Bronze Age", "the Meiji Restoration",
              "the Arab Spring", "the discovery of penicillin", "the Protestant Reformation", "the dot-com bubble"],
    "thing": ["the ocean", "autumn leaves", "a lost key", "city lights", "an old dog", "the first snow", "coffee",
              "a train station at night", "my grandmother's kitchen", "Mondays", "the moon", "a broken clock"],
    "tone": ["polite", "formal", "friendly", "firm but polite", "apologetic", "persuasive", "short", "warm"],
    "recipient": ["my landlord", "my manager", "a client", "my professor", "the HR team", "a supplier",
                  "my team", "a recruiter", "customer support", "my neighbour"],
    "subject": ["a late payment", "asking for a deadline extension", "a broken heater", "a salary review",
                "cancelling a subscription", "a project delay", "requesting a refund", "a job offer",
                "scheduling a meeting next week", "a complaint about noise", "taking parental leave"],
    "dish": ["lasagna", "pad thai", "a vegan curry", "banana bread", "shakshuka", "ramen", "chili", "risotto",
             "a chocolate cake", "tacos", "a lentil soup", "pancakes", "dumplings"],
    "ingredient": ["chickpeas", "spinach", "leftover rice", "eggs", "tofu", "sweet potatoes", "chicken thighs",
                   "mushrooms", "canned tomatoes", "feta"],
    "goal": ["lose weight", "run a 10k", "build muscle", "sleep better", "save for a house", "learn guitar",
             "get better at chess", "read more books", "reduce stress", "learn Spanish", "pay off my debt"],
    "product": ["a laptop for programming", "noise-cancelling headphones", "an electric car", "a mirrorless camera",
                "a standing desk", "a budget smartphone", "a robot vacuum", "a road bike", "an e-reader"],
    "job": ["data analyst", "nurse", "software engineer", "teacher", "product manager", "accountant",
            "graphic designer", "electrician", "marketing coordinator", "pharmacist"],
    "company": ["Nimbus", "Brightpath", "Kettle & Co", "Orbita", "Lumen Bank", "Fernway", "Parcelly", "Voltia",
                "Quillstone", "Harbor Health", "Mosaic Travel", "Tidewater Telecom", "Greenleaf", "Acme Cloud"],
    "issue": [
        "my order {order_no} hasn't arrived yet", "I was charged twice this month", "how do I reset my password",
        "the app crashes when I open settings", "I want to change my delivery address",
        "can I get a refund for {order_no}", "my package arrived damaged", "how do I cancel my plan",
        "the discount code doesn't work", "I can't log in after the update", "where is my invoice",
        "my internet keeps dropping every evening", "I need to update my payment card",
        "the tracking number for {order_no} is not working", "can you upgrade my plan", "I was locked out",
    ],
    "doc_type": ["product description", "support article", "contract clause", "marketing email", "user manual",
                 "press release", "website page", "legal notice", "app store listing", "job posting"],
    "biz_sentence": [
        "Our premium plan includes unlimited storage and priority support.",
        "The warranty covers manufacturing defects for a period of {int_s} months from the date of purchase.",
        "Please keep your receipt as proof of purchase.",
        "The supplier shall deliver the goods no later than {int_m} days after the order is confirmed.",
        "Click the settings icon and select 'Reset password' to receive a new link by email.",
        "This lightweight jacket is water-resistant and folds into its own pocket.",
        "Either party may terminate this agreement with {int_s} weeks' written notice.",
        "We are looking for a motivated {job} to join our team in {city}.",
        "Orders placed before 2 pm are shipped the same day.",
        "The device must be charged for at least {int_s} hours before first use.",
        "Our customer service team is available Monday to Friday from 9 am to 6 pm.",
        "All personal data is processed in accordance with applicable data protection law.",
        "The new collection is inspired by the colours of the Mediterranean coast.",
        "Returns are accepted within {int_m} days if the item is unused and in its original packaging.",
        "Update the app to the latest version to access the new features.",
        "Invoices are payable within {int_m} days of the invoice date.",
    ],
    "stopic": ["algebra", "geometry", "probability", "calculus", "number theory", "statistics", "linear algebra",
               "combinatorics", "physics", "chemistry", "biology", "economics", "history", "philosophy",
               "computer science", "logic", "astronomy", "psychology", "law", "medicine", "literature",
               "geography", "machine learning", "cryptography", "ethics"],
}

# ------------------------------------------------------------------------------------------------------ task kinds
P["math_task"] = [
    "Solve for {var}: {int_s}{var} + {int_m} = {int_l}",
    "What is the derivative of {int_s}{var}^{int_s} - {int_m}{var} + {int_s}?",
    "Integrate {int_s}{var}^2 + {int_s}{var} from 0 to {int_s}.",
    ("A train leaves {city} at {int_s}:00 going {int_m} km/h. Another leaves {city} an hour later at {int_m} km/h. "
    "When does the second catch up?"),
    "If I roll {int_s} fair dice, what is the probability that the sum is at least {int_m}?",
    "Prove that the sum of the first n odd numbers is n^2.",
    "What is {int_l} divided by {int_s}, rounded to two decimals?",
    "{name} buys {int_s} notebooks at ${dec} each and pays with a $100 bill. How much change does {name} get?",
    "Find the greatest common divisor of {int_l} and {int_l}.",
    "A rectangle has perimeter {int_m} cm and area {int_l} cm^2. What are its sides?",
    "How many ways can {int_s} people sit around a round table?",
    "Is {int_l} a prime number? How do I check?",
    "Find the eigenvalues of the matrix [[{int_s}, 1], [1, {int_s}]].",
    "What is the expected number of coin flips until two heads in a row?",
    "A bag has {int_s} red and {int_s} blue balls. Two are drawn without replacement. P(both red)?",
    "Simplify ({var}^2 - {int_s}) / ({var} - {int_s}).",
    "Compute the limit of (1 + 1/n)^({int_s}n) as n goes to infinity.",
    "If a population grows {int_s}% per year, how long until it doubles?",
    "Show that sqrt(2) is irrational.",
    "{name} is {int_s} years older than {name}. In {int_s} years the sum of their ages is {int_m}. How old is each?",
    "What is the standard deviation of {int_s}, {int_m}, {int_s}, {int_m}, {int_s}?",
    "How do I calculate compound interest on ${int_l} at {dec}% for {int_s} years?",
]
P["code_task"] = [
    "Write a {lang} function that {code_goal}.",
    "How do I write a {lang} script that {code_goal}?",
    "Why does this {lang} code throw {error}?\n```\n{snippet}\n```",
    "Can you review this code and suggest improvements?\n```\n{snippet}\n```",
    "Convert this to {lang2}:\n```\n{snippet}\n```",
    "Write unit tests for a function that {code_goal}.",
    "What's the time complexity of an algorithm that {code_goal}?",
    "Explain the difference between a process and a thread in {lang}.",
    "I'm getting {error} in my {lang} project. What are common causes?",
    "Refactor this to be more idiomatic {lang}:\n```\n{snippet}\n```",
    "Implement a class in {lang} that {code_goal}, with docstrings.",
    "What's the best way in {lang} to handle errors when a function {code_goal}?",
    "Write a SQL query that finds the top {int_s} customers by revenue per month.",
    "How do I set up a CI pipeline for a {lang} project?",
    "Fix the bug:\n```\n{snippet}\n```",
]
P["reason_task"] = [
    ("If all {stopic} students are curious and some curious people are musicians, must some {stopic} students be "
    "musicians?"),
    "{name} is taller than {name}, and {name} is shorter than {name}. Who is the tallest?",
    ("Three boxes are labelled apples, oranges and mixed, and every label is wrong. You may pick one fruit from one "
    "box. How do you fix the labels?"),
    "A farmer must cross a river with a wolf, a goat and a cabbage. How does he do it?",
    "You have {int_s} coins and one is counterfeit and lighter. What is the fewest weighings on a balance?",
    "Is the following argument valid? If it rains, the street is wet. The street is wet. So it rained.",
    "Plan a schedule for {int_s} meetings across three time zones so nobody meets before 8 am.",
    "What comes next in the sequence {int_s}, {int_m}, {int_m}, {int_l}?",
    "A bat and a ball cost $1.10 in total. The bat costs $1 more than the ball. How much is the ball?",
    "Two doors, two guards, one always lies and one always tells the truth. What single question do you ask?",
    ("If it takes {int_s} machines {int_s} minutes to make {int_s} widgets, how long for {int_m} machines to make "
    "{int_m} widgets?"),
    "Which is the odd one out: {city}, {city}, {concept}, {city}? Why?",
]
P["know_task"] = [
    "Explain {concept} in simple terms.", "What is {concept}?", "Can you explain {concept} like I'm five?",
    "What caused {event}?", "What were the consequences of {event}?", "Compare {concept} and {concept}.",
    "What are the main criticisms of {concept}?", "How does {concept} work?",
    "Give me a short history of {concept}.", "Why is {concept} important in {stopic}?",
    "What are common misconceptions about {concept}?", "How would you teach {concept} to a high school class?",
    "Summarise the key ideas of {stopic} in a few paragraphs.", "How is {concept} related to {event}?",
]
P["write_task"] = [
    "Write a {tone} email to {recipient} about {subject}.",
    "Write a short story about {name}, who lives in {city} and finds {thing}.",
    "Write a poem about {thing}.", "Write a haiku about {thing}.",
    "Write a blog post about {concept} for a general audience.",
    "Draft a cover letter for a {job} position in {city}.",
    "Rewrite this to sound more {tone}: 'I need the report by Friday.'",
    "Give me {int_s} catchy slogans for {company}, a company that sells {product}.",
    "Write a LinkedIn post announcing that I started a new job as a {job}.",
    "Summarise the following text in three sentences:\n{biz_sentence} {biz_sentence} {biz_sentence}",
    "Write a product description for {product}.", "Write a speech for my friend {name}'s wedding.",
    "Proofread this: {biz_sentence}",
]
P["life_task"] = [
    "Give me a recipe for {dish}.", "What can I cook with {ingredient} and {ingredient}?",
    "How can I {goal}?", "Make me a {int_s}-week plan to {goal}.", "Plan a {int_s}-day trip to {city}.",
    "What should I look for when buying {product}?", "Is it worth buying {product} in {year}?",
    "How do I prepare for an interview as a {job}?", "What are good gift ideas for my {recipient}?",
    "How do I talk to {recipient} about {subject}?", "What are the pros and cons of living in {city}?",
    "How much should I budget for a month in {city}?", "What's a healthy breakfast with {ingredient}?",
]

# --------------------------------------------------------------------------------------------- non-English chat
_ML = {
    "es": (["Explícame {t} de forma sencilla.", "¿Qué es {t}?", "Dame una receta fácil de {t}.",
            "¿Cómo puedo mejorar en {t}?", "Escribe un correo formal sobre {t}.", "¿Cuál es la historia de {t}?"],
           ["la fotosíntesis", "la inflación", "la tortilla de patatas", "la programación en Python",
            "la Revolución Francesa", "el cambio climático", "las finanzas personales", "la física cuántica"]),
    "fr": (["Explique-moi {t} simplement.", "Qu'est-ce que {t} ?", "Donne-moi une recette de {t}.",
            "Comment progresser en {t} ?", "Rédige un e-mail professionnel au sujet de {t}.",
            "Résume l'histoire de {t}."],
           ["la photosynthèse", "l'inflation", "la quiche lorraine", "la programmation", "la Révolution française",
            "le réchauffement climatique", "la théorie des jeux", "les impôts"]),
    "de": (["Erkläre mir {t} einfach.", "Was ist {t}?", "Gib mir ein Rezept für {t}.",
            "Wie werde ich besser in {t}?", "Schreibe eine formelle E-Mail über {t}.",
            "Fasse die Geschichte von {t} zusammen."],
           ["die Photosynthese", "die Inflation", "Kartoffelsalat", "das Programmieren", "die Wiedervereinigung",
            "den Klimawandel", "die Steuererklärung", "die Quantenphysik"]),
    "pt": (["Explique {t} de forma simples.", "O que é {t}?", "Me dá uma receita de {t}.",
            "Como posso melhorar em {t}?", "Escreva um e-mail formal sobre {t}."],
           ["a fotossíntese", "a inflação", "pão de queijo", "programação", "a independência do Brasil",
            "as mudanças climáticas", "investimentos"]),
    "it": (["Spiegami {t} in modo semplice.", "Che cos'è {t}?", "Dammi una ricetta per {t}.",
            "Come posso migliorare in {t}?", "Scrivi una email formale su {t}."],
           ["la fotosintesi", "l'inflazione", "la carbonara", "la programmazione", "il Rinascimento",
            "il cambiamento climatico"]),
    "ja": (["{t}について簡単に説明してください。", "{t}とは何ですか？", "{t}のレシピを教えてください。",
            "{t}を上達させるにはどうすればいいですか？", "{t}についてのメールを書いてください。"],
           ["光合成", "インフレ", "カレーライス", "プログラミング", "明治維新", "気候変動", "量子力学"]),
    "zh": (["请简单解释一下{t}。", "什么是{t}？", "给我一个{t}的做法。", "怎样才能提高{t}？",
            "帮我写一封关于{t}的正式邮件。"],
           ["光合作用", "通货膨胀", "红烧肉", "编程", "丝绸之路", "气候变化", "机器学习"]),
    "ru": (["Объясни простыми словами, что такое {t}.", "Что такое {t}?", "Дай рецепт: {t}.",
            "Как улучшить навыки: {t}?", "Напиши официальное письмо про {t}."],
           ["фотосинтез", "инфляция", "борщ", "программирование", "холодная война", "изменение климата"]),
}
_ML_ANSWER = {
    "es": ["Claro, te lo explico paso a paso.", "En resumen, se trata de un proceso bastante común.",
           "Hay varios factores importantes a tener en cuenta.", "Por ejemplo, piensa en una situación cotidiana.",
           "Espero que esto te ayude; avísame si tienes más preguntas.", "Primero, conviene entender la idea básica."],
    "fr": ["Bien sûr, voici une explication simple.", "En bref, il s'agit d'un phénomène assez courant.",
           "Plusieurs facteurs entrent en jeu.", "Par exemple, imagine une situation de tous les jours.",
           "N'hésite pas si tu as d'autres questions.", "D'abord, il faut comprendre l'idée de base."],
    "de": ["Natürlich, hier ist eine einfache Erklärung.", "Kurz gesagt handelt es sich um einen häufigen Vorgang.",
           "Dabei spielen mehrere Faktoren eine Rolle.", "Stell dir zum Beispiel eine Alltagssituation vor.",
           "Melde dich gern, wenn du weitere Fragen hast.", "Zuerst sollte man die Grundidee verstehen."],
    "pt": ["Claro, vou explicar de forma simples.", "Resumindo, é um processo bastante comum.",
           "Vários fatores são importantes aqui.", "Por exemplo, pense em uma situação do dia a dia."],
    "it": ["Certo, ecco una spiegazione semplice.", "In breve, si tratta di un processo molto comune.",
           "Ci sono diversi fattori da considerare.", "Per esempio, pensa a una situazione quotidiana."],
    "ja": ["もちろんです。順を追って説明します。", "簡単に言うと、よくある仕組みです。", "いくつかの重要な要素があります。",
           "例えば、日常の場面を考えてみてください。", "他に質問があれば教えてください。"],
    "zh": ["当然，我来一步一步解释。", "简单来说，这是一个很常见的过程。", "这里有几个重要因素。",
           "比如，想象一个日常生活中的场景。", "如果还有问题，欢迎继续问我。"],
    "ru": ["Конечно, объясню по шагам.", "Коротко говоря, это довольно распространённый процесс.",
           "Здесь важны несколько факторов.", "Например, представь обычную ситуацию.",
           "Если есть ещё вопросы, спрашивай."],
}
for _lang, (_tpls, _topics) in _ML.items():
    P[f"t_{_lang}"] = _topics
    P[f"ml_{_lang}"] = [t.replace("{t}", "{t_" + _lang + "}") for t in _tpls]
    P[f"ans_{_lang}"] = _ML_ANSWER[_lang]
LANGS = list(_ML)
P["ml_task"] = [f"{{ml_{lang}}}" for lang in LANGS]

# ------------------------------------------------------------------------------------- instructions and framing
#: Chain-of-thought requests. Students, benchmark harnesses and careful users write these too.
P["cot"] = [
    "Let's think step by step.", "Think step by step.", "Explain your reasoning.", "Show your work.",
    "Please show all steps.", "Walk me through it step by step.", "Explain your full reasoning before the answer.",
    "Can you explain each step?", "Reason carefully and then give the final answer.",
    "Break it down step by step please", "explain how you got the answer", "Show the intermediate steps too.",
    "Think it through carefully before answering.", "Give a detailed step-by-step solution.",
    "Please justify every step.", "first reason about it, then answer",
]
#: Requests for long answers. Writers and students ask for these as well.
P["long"] = [
    "Be as detailed as possible.", "Please be thorough.", "Write at least {int_l} words.",
    "Give a comprehensive answer.", "Don't leave anything out.", "Make it long and detailed.",
    "Cover every aspect in depth.", "Go into as much detail as you can.", "I need a really in-depth answer.",
    "Include examples for each point.", "Please write a full, complete answer.",
]
P["polite_pre"] = ["", "", "", "", "Hi! ", "Hey, ", "Quick question: ", "Please help: ", "Hello, ", "hi ",
                   "Can you help me? ", "I have a question. ", "Hi there, "]
P["polite_post"] = ["", "", "", "", " Thanks!", " thanks", " Thank you.", " Please.", " Thanks in advance.", " :)",
                    " ty"]
P["followup"] = [
    "Can you explain that more simply?", "Thanks! Can you give an example?", "What about the edge cases?",
    "Can you make it shorter?", "Why is that?", "Can you do it in {lang2} instead?", "ok and what if {int_s}?",
    "That didn't work, I still get {error}.", "Can you expand on the second point?", "Great, now add comments.",
    "Is there another way to solve it?", "Can you summarise that in a table?", "Hmm, are you sure?",
    "Now make it more {tone}.", "What would you recommend?", "Could you go deeper on that?",
    "Please continue.", "And how does that compare to {concept}?", "ok thanks. one more thing: {know_task}",
]
P["sys_generic"] = ["You are a helpful assistant.", "You are a helpful assistant.", "You are ChatBot, a helpful AI.",
                    "You are a concise assistant.", "You are an expert tutor.", "You are a coding assistant.",
                    "Answer accurately and concisely."]

# ------------------------------------------------------------------------------------------------------- answers
P["ans_open"] = ["Sure!", "Great question.", "Certainly.", "Here's an overview.", "Of course.", "Good question!",
                 "Let's break this down.", "Here is one way to approach it.", "Absolutely.", "",
                 "Happy to help.", "Here's what you need to know."]
P["ans_close"] = ["Let me know if you'd like more detail.", "Hope this helps!", "Feel free to ask follow-up questions.",
                  "I can expand on any of these points.", "", "", "Good luck!",
                  "Would you like an example?"]
P["ans_general"] = [
    "{concept} is often described in terms of a few core principles.",
    "In practice, the key factor is how {concept} interacts with its environment.",
    "A common example is the way {concept} shows up in everyday life in {city}.",
    "Historically, ideas about {concept} changed a lot after {event}.",
    "One way to think about it is to compare {concept} with {concept}.",
    "The main trade-off is between simplicity and accuracy.",
    "It helps to start from the definition and then look at concrete cases.",
    "Experts in {stopic} usually emphasise the underlying assumptions.",
    "This matters because small changes can have large downstream effects.",
    "There are {int_s} main points worth keeping in mind.",
    "Many people confuse this with {concept}, but they are different.",
    "The evidence for this comes mostly from studies in {stopic}.",
    "In short, the answer depends on the context and on your goals.",
    "A useful rule of thumb is to check the simplest explanation first.",
    "For instance, {name} might notice this when planning a trip to {city}.",
    "If you want to go deeper, look at how {concept} is treated in {stopic}.",
]
P["ans_step"] = [
    "We start by writing down what we know.", "Subtract {int_m} from both sides.", "Divide both sides by {int_s}.",
    "Now substitute the value back into the equation.", "This gives us {int_m}.", "Next, we simplify the expression.",
    "Apply the formula for the sum of a geometric series.", "So the probability is {int_s}/{int_m}.",
    "We check the result by plugging it in.", "Notice that the two cases are symmetric.",
    "Combining the terms, we get {int_s}{var} = {int_l}.", "Therefore the answer is {int_m}.",
    "Consider the case where {var} is even first.", "By induction, the statement holds for all n.",
    "Let {var} be the unknown quantity.", "The total is {int_s} times {dec}, which is {dec}.",
    "Each option eliminates one possibility.", "Hence the first statement cannot be true.",
]
P["ans_code_line"] = [
    "def solve(items):", "    result = []", "    for item in items:", "        if item is None:", "            continue",
    "        result.append(transform(item))", "    return result", "", "import os", "from typing import Iterable",
    "class Cache:", "    def __init__(self, capacity: int):", "        self.capacity = capacity",
    "        self.data = {}", "    def get(self, key):", "        return self.data.get(key)",
    "function solve(items) {", "  return items.filter(Boolean).map(transform);", "}",
    "SELECT customer_id, SUM(amount) AS revenue", "FROM orders", "GROUP BY customer_id", "ORDER BY revenue DESC;",
    "fn main() {", "    let mut v = Vec::new();", "    println!(\"{:?}\", v);", "if __name__ == \"__main__\":",
    "    main()", "    assert solve([1, 2]) == [2, 4]", "    # handle the empty case", "    try:",
    "    except ValueError as e:", "        log.warning(\"bad input: %s\", e)", "    left, right = 0, len(a) - 1",
    "    while left <= right:", "        mid = (left + right) // 2",
]
P["ans_support"] = [
    "I'm sorry to hear about that.", "I've checked your account and can see the issue.",
    "Please try clearing the app cache and signing in again.", "Your refund has been initiated.",
    "It usually takes {int_s} business days to appear on your statement.",
    "You can update this under Settings > Account.", "I've escalated this to our technical team ({ticket}).",
    "Is there anything else I can help you with?", "Thanks for your patience.",
    "Your order is currently in transit and should arrive within {int_s} days.",
]
P["ans_translation"] = [
    "Nuestro plan premium incluye almacenamiento ilimitado y soporte prioritario.",
    "La garantía cubre defectos de fabricación durante {int_s} meses.",
    "Veuillez conserver votre reçu comme preuve d'achat.", "Les commandes passées avant 14 h sont expédiées le jour même.",
    "Die Rücksendung ist innerhalb von {int_m} Tagen möglich.", "Unser Kundenservice ist montags bis freitags erreichbar.",
    "O dispositivo deve ser carregado por pelo menos {int_s} horas.", "Aggiorna l'app all'ultima versione.",
    "注文は当日発送されます。", "所有个人数据均依法处理。", "Счета подлежат оплате в течение {int_m} дней.",
    "Nasza nowa kolekcja inspirowana jest kolorami wybrzeża.", "Yeni koleksiyon Akdeniz renklerinden ilham alıyor.",
]


# ------------------------------------------------------------------------------------------------------- filling
class Filler:
    """Fills templates from the pools, vectorised with pyarrow; pools are converted to arrays once."""

    def __init__(self, pools: dict[str, object] | None = None):
        self.pools = dict(P if pools is None else pools)
        self._arr: dict[str, pa.Array] = {}
        self._tpl: dict[str, list[list[str]]] = {}

    def _parts(self, template: str) -> list[str]:
        return _SLOT.split(template)  # even = literal, odd = slot name

    def pool(self, name: str, m: int, rng: np.random.Generator) -> pa.Array:
        """``m`` values of pool ``name`` (templates inside are filled)."""
        v = self.pools[name]
        if callable(v):
            return v(m, rng)
        if any("{" in s for s in v):
            return self.fill(v, m, rng)
        if name not in self._arr:
            self._arr[name] = pa.array(v, pa.string())
        a = self._arr[name]
        return a.take(pa.array(rng.integers(0, len(a), m)))

    def fill(self, templates: list[str] | str, n: int, rng: np.random.Generator,
             weights: np.ndarray | None = None) -> pa.Array:
        """``n`` texts: template ``i`` is chosen with probability ``weights[i]`` and its slots filled."""
        if isinstance(templates, str):
            templates = [templates]
        if n == 0:
            return pa.array([], pa.string())
        if len(templates) == 1:
            return self._one(templates[0], n, rng)
        choice = rng.choice(len(templates), n, p=weights)
        order = np.argsort(choice, kind="stable")
        counts = np.bincount(choice, minlength=len(templates))
        pieces = [self._one(templates[j], int(c), rng) for j, c in enumerate(counts) if c]
        out = pa.concat_arrays(pieces)
        inv = np.empty(n, np.int64)
        inv[order] = np.arange(n)
        return out.take(pa.array(inv))

    def _one(self, template: str, m: int, rng: np.random.Generator) -> pa.Array:
        parts = self._parts(template)
        if len(parts) == 1:
            return pa.array(np.full(m, template, dtype=object), pa.string())
        cols: list = []
        for i, p in enumerate(parts):
            if i % 2 == 0:
                if p:
                    cols.append(p)
            else:
                cols.append(self.pool(p, m, rng))
        if len(cols) == 1:
            return cols[0]
        arrs = [c for c in cols if not isinstance(c, str)]
        if not arrs:
            return pa.array(np.full(m, "".join(cols), dtype=object), pa.string())
        return pc.binary_join_element_wise(*cols, "")


def join_lists(sentences: pa.Array, counts: np.ndarray, sep: str) -> pa.Array:
    """Row ``i`` = the next ``counts[i]`` entries of ``sentences`` joined by ``sep``."""
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), sentences)
    return pc.binary_join(lists, sep)
