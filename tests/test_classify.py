"""The classifier on hand-written asks: every label, every language, negation, user patterns.

The asks here are written for these tests (none is copied from the corpus); together with
the tuning part of the corpus they make every pattern id fire at least once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from responder.classify import (
    BATCH,
    LANGUAGES,
    PATTERN_DIR,
    WORDS_TIP,
    Classifier,
    _decide_with_words,
    _heard,
    builtin_lexicon_file,
    builtin_pattern_files,
    explain,
    guess_language,
)
from responder.cli import cli
from responder.errors import ConfigError
from responder.evaluate import split_corpus
from responder.lexicon import BIAS, parse_lexicon, read_lexicon
from responder.models import LABELS, Evidence

CORPUS = Path(__file__).parent / "corpus" / "asks.jsonl"

#: Hand-written asks (not from the corpus), by label: (kind, text).
ASKS: dict[str, list[tuple[str, str]]] = {
    "scam": [
        (
            "message",
            "Olá Marco, temos dois camiões retidos na alfândega de Sines. Pagamos 3% do valor da "
            "mercadoria por fora a quem nos resolver isto esta semana, tudo discreto. Falamos?",
        ),
        (
            "message",
            "Estimado cliente, le informamos de que hemos cambiado de banco. Las facturas "
            "pendientes deben abonarse desde hoy al nuevo IBAN que le enviaremos por correo.",
        ),
        # goods held at customs, yours for the release fee (ninth session; it was drafted)
        (
            "message",
            "Buen día Ing. Garza, tenemos un contenedor de lámina retenido en la aduana a un "
            "precio 40% abajo del mercado. Solo hay que cubrir el pago de liberación y el "
            "material es suyo. ¿Le interesa? Es confidencial.",
        ),
        # a token "grant" claimed by connecting a wallet (ninth session)
        (
            "message",
            "Hey Felix! Our DAO is rewarding open-source maintainers with a 5,000 USDC grant "
            "and you were selected. To claim, connect your wallet on our site before Friday.",
        ),
        # the stranded relative with a new number (eighth session)
        (
            "message",
            "Hi Mum, it's me, this is my new number, my phone broke. Can you send £450 by "
            "bank transfer today? I'll explain later, don't tell Dad.",
        ),
        (
            "message",
            "Oi mãe, sou eu, troquei de número porque o telemóvel avariou. Podes mandar-me "
            "300 € por MB WAY? Devolvo amanhã.",
        ),
        (
            "message",
            "Bonjour, nos clients gagnent 6 % par semaine grâce à notre robot de trading. "
            "Je peux vous ouvrir un compte avec 200 € seulement.",
        ),
        (
            "inmail",
            "Hello Dana, I represent a buyer in Doha who wants 2,000 units of your product. "
            "Before the order is placed you need to pay a small registration fee of $300 on our "
            "vendor portal, refunded with the first payment.",
        ),
        (
            "message",
            "Hi Dana! I'm Grace, I work with a team that reviews restaurants online and we get "
            "paid per task, around £150 a day from home. Shall I send you the sign-up link?",
        ),
        (
            "inmail",
            "Greetings, I am Barrister James Okoro, personal attorney to a late engineer who "
            "died in a car accident. He left a deposit of $7.5 million with no next of kin. I"
            " want to present you as the beneficiary so the funds can be released. Reply with"
            " your private email.",
        ),
        (
            "message",
            "Good day Dana. Our firm supplies luxury furniture to clients including the Saudi"
            " royal family and several Hollywood celebrities. We need a representative in "
            "Oregon to receive customer payments and wire them to us; you keep 10%.",
        ),
        (
            "invitation",
            "Hello my dear, I am a surgeon with the UN peacekeeping mission in Yemen. I would"
            " like to know you more. Are you single?",
        ),
        (
            "message",
            "Hi Dana! My uncle is a senior analyst at a crypto exchange and he shared a "
            "trading signal group with me. I turned $2,000 into $19,000 in three weeks. Want "
            "me to show you how to start with USDT?",
        ),
        (
            "inmail",
            "Congratulations! You have been shortlisted for a remote Data Entry Specialist "
            "position, $38/hour, flexible. The onboarding is done over Telegram. Please "
            "download the app and message our HR coordinator with your full name and phone "
            "number.",
        ),
        (
            "inmail",
            "Dear Dana, we are pleased to inform you that your profile was chosen for a $500 "
            "Amazon reward. To claim it, confirm your bank account and pay a small handling "
            "fee.",
        ),
        (
            "message",
            "Hello Dana, I am a shipping agent. A parcel addressed to you is held at customs."
            " Pay the clearance fee by gift cards so we can release it.",
        ),
        (
            "message",
            "Hello, I am Captain Daniel Ross with the US Navy. I found your profile and I "
            "feel a connection. Please write to me at my private email so we can talk more.",
        ),
        (
            "inmail",
            "Dear Dana, I am contacting you regarding an unclaimed fund of $12.3M belonging "
            "to a deceased client of our bank. As a foreigner you can stand as his next of "
            "kin. All legal papers will be provided.",
        ),
        (
            "message",
            "Hi Dana, I'm an investment manager at a forex firm. Our clients make 15% profit "
            "every week with our automated trading bot. Minimum deposit is only $500. "
            "Interested?",
        ),
        (
            "inmail",
            "We are hiring a remote Accounts Receivable Agent. Your job is to receive "
            "payments from our customers into your personal account and transfer them to our "
            "company after deducting your 5% commission.",
        ),
        (
            "inmail",
            "Sehr geehrte Frau Reyes, ich bin Anwalt in Zürich. Ein verstorbener Kunde mit "
            "Ihrem Nachnamen hat eine Erbschaft von 4,1 Millionen Euro hinterlassen. Bitte "
            "senden Sie mir Ihre Bankverbindung, damit wir die Überweisung vorbereiten "
            "können.",
        ),
        (
            "inmail",
            "Bonjour Dana, je suis notaire à Lyon. Un héritage de 2,8 millions d'euros attend"
            " un bénéficiaire portant votre nom. Merci de m'envoyer vos coordonnées bancaires"
            " pour le virement.",
        ),
        (
            "message",
            "Hola Dana, soy viuda y tengo una herencia de 5 millones de dólares. Necesito una"
            " persona de confianza para la transferencia de fondos. Envíeme sus datos "
            "bancarios y su nombre completo.",
        ),
        (
            "message",
            "Olá Dana, sou advogado e represento um cliente falecido. Há uma herança de 3 "
            "milhões de dólares sem herdeiro. Envie seus dados bancários e nome completo para"
            " a transferência.",
        ),
        (
            "message",
            "Bonjour Dana, je suis avocat et je représente un client décédé qui a laissé 4 "
            "millions d'euros sans héritier. Envoyez-moi vos coordonnées pour le transfert.",
        ),
        (
            "message",
            "Bonjour ma chérie, je suis militaire en mission à l'étranger. Je cherche une "
            "femme sincère pour partager ma vie. Écris-moi sur WhatsApp.",
        ),
        (
            "message",
            "Olá querida, sou engenheiro numa plataforma de petróleo e procuro uma mulher "
            "sincera. Podemos falar no WhatsApp?",
        ),
        (
            "inmail",
            "Hello Dana, you have been selected for a remote position, no interview required."
            " You will receive packages at home and forward them to our clients abroad. "
            "Contact us on WhatsApp. Earn 20% weekly returns on our crypto platform too!",
        ),
        (
            "message",
            "Hi Dana, were you a victim of a fake crypto broker? Our recovery agents can get "
            "your funds back in 14 days.",
        ),
        (
            "message",
            "Hallo Dana, ich bin Witwer und arbeite auf einer Ölplattform. Garantierte "
            "Rendite von 20 % mit Bitcoin! Sie erhalten 10 % Provision auf jede Überweisung.",
        ),
        (
            "message",
            "Bonjour Dana, je suis veuve et je travaille sur une plateforme pétrolière. "
            "Rendement garanti de 20 %. Vous toucherez une commission sur chaque virement.",
        ),
        (
            "message",
            "Hola Dana, soy viudo y trabajo en una plataforma petrolera. Rentabilidad "
            "garantizada del 20 % con bitcoin.",
        ),
        (
            "message",
            "Olá Dana, sou viúvo e trabalho numa plataforma de petróleo. Retorno garantido de"
            " 20 %! Você recebe comissão em cada transferência.",
        ),
        (
            "inmail",
            "Dear Dana, our HR team selected you for the Remote Payroll Assistant job. We "
            "will send you a check to buy equipment from our approved vendor.",
        ),
        (
            "inmail",
            "Dear Dana, I am Mr. Ahmed Musa, manager at a bank in Burkina Faso. I discovered "
            "an abandoned sum of US$10.5M and need a foreign partner to claim it. You will "
            "get 40%. Reply with your full name and phone number.",
        ),
        (
            "message",
            "Hi dear, how are you doing today? I saw your profile and I like it. I'm a nurse "
            "from the UK working with the UN. Can we get to know each other on Hangouts?",
        ),
        (
            "message",
            "Hi Dana, my cousin made $8,000 last month with a USDT arbitrage app. I can show "
            "you how to start with just $300. Let me know and I'll send you the link.",
        ),
        (
            "message",
            "Congratulations Dana! You have won a $50,000 grant from the LinkedIn "
            "Professional Relief Fund. Claim your prize by contacting our agent on WhatsApp.",
        ),
        (
            "inmail",
            "Work from home as a mystery shopper, no experience needed. Earn $500 a week. "
            "Reply to get your starter kit.",
        ),
        (
            "message",
            "Hello dear, I am a wealthy widow and I want a sugar daddy arrangement in "
            "reverse: a weekly allowance of $1,000 for your friendship.",
        ),
        (
            "inmail",
            "Hello Dana, I am a diplomat holding a consignment box registered in your name at"
            " the airport. Pay the release fee by Western Union.",
        ),
        (
            "message",
            "Hello Dana, I have an urgent business proposal involving a gold consignment. "
            "Please email me at m.kalu@gmail.com or text me on +44 7700 900123.",
        ),
        (
            "message",
            "Dear user, your LinkedIn account will be suspended. Click the link to verify "
            "your login details.",
        ),
        (
            "inmail",
            "Need cash fast? We offer instant personal loans at 2% with guaranteed approval. "
            "No credit check.",
        ),
        (
            "message",
            "Hello Dana, I'm a recruiter from Amazon. You are hired for a remote role, $900 "
            "per week. Please pay $150 for your training materials and send your bank "
            "details.",
        ),
        (
            "invitation",
            "Hi dear, I'm a single father and a soldier on a peacekeeping mission. I'm "
            "looking for a kind-hearted woman to share my life with.",
        ),
        (
            "message",
            "Hello madam, I am Dr. Frank from the UN medical team in Syria. I am very lonely "
            "and I want to find true love. Please write me on my email.",
        ),
        (
            "inmail",
            "Dear Beneficiary, your compensation payment of $2.5M has been approved by the "
            "World Bank. Contact our paying officer with your details to receive your funds.",
        ),
        (
            "message",
            "Hi Dana, I'm a senior trader. I can teach you how to earn $3,000 daily with "
            "forex signals. Just deposit $250 to start on my platform.",
        ),
        (
            "message",
            "Hi Dana, join my Telegram group for free crypto signals. Members made 300% last "
            "month!",
        ),
        (
            "message",
            "Hello Dana, I am a shipping company agent. We need a representative in the US to"
            " receive payments from our customers and send them to our company account. You "
            "will get 10% of each payment.",
        ),
        (
            "invitation",
            "Hi, I'm Anna, a fashion designer from Kyiv. I was looking for someone kind like "
            "you. Can we talk privately on WhatsApp?",
        ),
        (
            "message",
            "Good evening Dana, I'm Captain James, I work with the US Army in Syria. I have a"
            " trunk box containing $3.5M and I need someone trustworthy to receive it. I will"
            " give you 30%.",
        ),
        (
            "inmail",
            "Hello Dana, our firm is hiring remote payment coordinators. You'll handle "
            "incoming wire transfers for our clients and forward the money minus your fee. "
            "Training provided. Start immediately.",
        ),
        (
            "message",
            "Hi Dana, I'm Li Wei, I run a gold trading business in Hong Kong. My aunt is an "
            "analyst and she gives me inside information. I can help you make big profits "
            "too.",
        ),
        (
            "invitation",
            "Hello dear, you look so beautiful in your profile picture. I am a widower "
            "engineer and I would love to know you more.",
        ),
        (
            "message",
            "Hi Dana, I'm a private banker. A client passed away without a will and left an "
            "account of $9M. With your help we can transfer it legally and split it 50/50.",
        ),
        (
            "invitation",
            "Hi, I am Sophia, a recently divorced nurse. I find your profile attractive and "
            "want to get to know you better. Please accept my request.",
        ),
        (
            "inmail",
            "Dear Dana, I represent Prince Faisal's private office. His Highness wishes to "
            "invest $40M in US logistics through a trusted intermediary. Kindly send your "
            "passport copy to proceed.",
        ),
        (
            "message",
            "Hello Dana, this is HR from Amazon. You have been approved for a work-from-home "
            "position. Download the Telegram app and message our supervisor to complete "
            "onboarding.",
        ),
        (
            "message",
            "Hi Dana, my name is Grace. I made a mistake and sent you a connection request, "
            "but you seem nice. What do you do for a living? Do you trade crypto?",
        ),
        (
            "inmail",
            "Dear Dana, I am writing from the Central Bank of Nigeria. An inheritance fund "
            "was left in your name. To release it, a small clearance fee is required.",
        ),
        (
            "message",
            "Hi Dana, I'm a blockchain consultant. I've been helping people earn passive "
            "income with a new staking platform that pays 2% daily. Want me to set you up?",
        ),
        (
            "inmail",
            "Dear Dana, our revolutionary AI trading platform guarantees 25% monthly returns."
            " Book a free demo with our account manager today and start earning.",
        ),
    ],
    "mlm": [
        # an old classmate whose "team" changed everything financially (ninth session; drafted)
        (
            "message",
            "Helen hi! Not sure you'll remember me - CIMA study group, Leeds, 2006. Life update: "
            "I'm now running a team with Vivance and it has changed everything for us "
            "financially. Would be lovely to catch up and tell you a bit about what I do - I "
            "genuinely think you'd be brilliant at it.",
        ),
        # "financial education" that licenses new associates (ninth session)
        (
            "message",
            "Hi Tomasz, I am with a financial education company. We teach families how money "
            "works and we are licensing new associates, part time. Do you have 30 min this week?",
        ),
        (
            "message",
            "E aí Dana, tudo bem? Conheci um modelo de marketing de relacionamento que está "
            "mudando minha vida e queria muito te apresentar. Bora conversar?",
        ),
        (
            "invitation",
            "Hey Dana! Would you be open to a way to earn on the side without quitting your "
            "job? DM me 💸",
        ),
        (
            "message",
            "Hi Dana, I partnered with an amazing skincare brand last year and it has given "
            "me so much freedom. We are expanding in Oregon and I'm looking for women who "
            "want flexible income from home. Can I send you a quick video?",
        ),
        (
            "inmail",
            "Dana, I work with a network marketing company that is ranked #1 in the industry."
            " Our top leaders earn passive income and travel the world. I'd love to see if "
            "you're a fit for our team.",
        ),
        (
            "message",
            "Hey girl!! It's been ages! I've started my own business with essential oils and "
            "it's going amazing. Want to join my team? You'd be so good at it!",
        ),
        (
            "invitation",
            "Are you tired of trading time for money? I help professionals build a second "
            "income stream in 5-10 hours a week. Let's chat!",
        ),
        (
            "message",
            "Hi Dana! I'm a busy mom and I've found a way to earn extra money from home with "
            "a company that changed my family's life. Would you like to hear how?",
        ),
        (
            "invitation",
            "Looking for 5 driven people who want to replace their 9-5 income in 12 months. "
            "Are you in?",
        ),
        (
            "inmail",
            "Hi Dana, I'm building a team with a global health brand and we're growing fast. "
            "If you've ever wanted to be your own boss and earn residual income, I'd love to "
            "chat.",
        ),
        (
            "message",
            "Hallo Dana, ich habe mir neben dem Job ein Nebeneinkommen aufgebaut und bin "
            "jetzt mein eigener Chef. Hättest du Lust, mehr darüber zu erfahren? Finanzielle "
            "Freiheit ist möglich!",
        ),
        (
            "message",
            "Coucou Dana ! Je développe une activité qui me donne un revenu complémentaire "
            "depuis chez moi. Envie d'être votre propre patron et d'atteindre la liberté "
            "financière ?",
        ),
        (
            "message",
            "¡Hola Dana! Estoy generando ingresos extra desde casa con una empresa de "
            "bienestar. ¿Te gustaría ser tu propio jefe y tener libertad financiera?",
        ),
        (
            "message",
            "Oi Dana! Estou ganhando uma renda extra de casa com uma empresa de bem-estar. "
            "Quer ser seu próprio chefe e ter liberdade financeira?",
        ),
        (
            "message",
            "Hallo Dana! Ich habe ein tolles Business neben dem Job gestartet und suche "
            "motivierte Leute, die sich ein passives Einkommen aufbauen wollen.",
        ),
        (
            "message",
            "Salut Dana ! Tu aimerais gagner de l'argent depuis chez toi avec une activité "
            "flexible ? Je cherche des personnes motivées pour rejoindre mon équipe.",
        ),
        (
            "message",
            "¡Hola Dana! ¿Te gustaría ganar dinero extra desde casa? Busco personas "
            "emprendedoras para mi equipo.",
        ),
        (
            "message",
            "Hi Dana! This is not a job, it's a business opportunity. No pressure, it's not "
            "for everyone, but you seem like a go-getter. I also travel at wholesale prices "
            "and get paid to share it!",
        ),
        (
            "message",
            "Hallo Dana, ich biete eine einzigartige Geschäftsmöglichkeit, die man von zu "
            "Hause aus machen kann. Interesse?",
        ),
        (
            "message",
            "Coucou Dana, j'ai une opportunité d'affaires incroyable pour toi, à faire depuis"
            " chez toi !",
        ),
        (
            "message",
            "Hola Dana, tengo una oportunidad de negocio increíble que puedes hacer desde "
            "casa. ¿Te interesa?",
        ),
        (
            "message",
            "Oi Dana, tenho uma oportunidade de negócio incrível que você pode fazer de casa."
            " Tem interesse?",
        ),
        (
            "message",
            "Hi Dana!! I know this is random but I've been looking for a few women to join me"
            " in a new venture. It's flexible and you can do it from your phone. Want me to "
            "send info?",
        ),
        (
            "invitation",
            "Hey Dana, do you ever think about retiring early? I help people build income "
            "outside their job. Let's connect!",
        ),
        (
            "message",
            "Dana, I remember you from high school! I've been doing this amazing health "
            "program and I've lost 20 pounds. I'm also earning from it. Want to hear more?",
        ),
        (
            "message",
            "Hi Dana! I'm a brand ambassador for a clean beauty company and we're looking for"
            " leaders to get in on the ground floor. DM me!",
        ),
        (
            "invitation",
            "Hey Dana, I'm a Herbalife coach. Would you be open to a life-changing opportunity?",
        ),
        (
            "message",
            "Hi Dana, are you open-minded about ways to make money online? It's not MLM, I "
            "promise! Financial independence is closer than you think.",
        ),
        (
            "message",
            "Hey Dana! It's been forever since college 😍 I'd love to catch up and share "
            "something that has changed my life. Are you open to earning extra income from "
            "home?",
        ),
        (
            "message",
            "HEY GIRL!!! 💖 I have the most amazing opportunity for you!!! Be your own boss, "
            "work from anywhere and earn extra cash. Message me for details!!!",
        ),
        (
            "invitation",
            "Hi Dana, I mentor women who want to create a second stream of income online. "
            "Would love to connect!",
        ),
        ("invitation", "Hi Dana! I help busy moms make money from their phones. Want to know how?"),
        (
            "message",
            "Hi Dana! Random question, but have you ever thought about starting your own "
            "business? I partner with a company that gives you everything you need to launch "
            "from home. 💪",
        ),
        (
            "invitation",
            "Dana, imagine earning a full-time income with part-time hours. I'm looking for 2"
            " motivated people to mentor this month. Interested?",
        ),
        (
            "message",
            "Hey Dana! I've been sharing this incredible collagen drink with friends and it's"
            " turned into a real business. Would you like a free sample and to hear how I do "
            "it?",
        ),
        (
            "message",
            "Hi Dana! I'm looking for a few driven women who want to build a business around "
            "their family. Flexible hours, work from your phone, and amazing rewards. Want "
            "details?",
        ),
        (
            "message",
            "Hi Dana, I'm with a company that helps people create wealth through a proven "
            "system. Most of our partners earn more than their day jobs within a year. Can I "
            "show you how?",
        ),
        (
            "invitation",
            "Dana, are you coachable and hungry for more? I'm expanding my team in Oregon and"
            " looking for ambitious people who want to change their financial future.",
        ),
        (
            "message",
            "Hi Dana! I'm hosting a virtual wellness party next Tuesday with free samples and"
            " a chance to earn some extra cash. Want an invite? 🎉",
        ),
        (
            "message",
            "Hi Dana, random but I saw you're a mom too! I've found a way to be home with my "
            "kids and still bring in an income. Would you like to hear how?",
        ),
        (
            "invitation",
            "Hi Dana! Are you open to a fun side gig that pays for your coffee habit? ☕ "
            "Message me!",
        ),
    ],
    "investor_ask": [
        (
            "inmail",
            "Olá Dana, estamos captando R$ 2 milhões para expandir nossa rede de clínicas "
            "no Nordeste. Posso enviar a apresentação?",
        ),
        (
            "invitation",
            "Hi Dana, we're building an AI tool for freight brokers and are currently "
            "fundraising. Would you be interested in participating as an angel?",
        ),
        (
            "message",
            "Hey Dana, we just opened our pre-seed round. Could you intro us to any VCs in "
            "your circle who back logistics startups?",
        ),
        (
            "inmail",
            "Dana, my startup is looking for funding to scale our route optimisation engine. "
            "We need $300k to hire two engineers. Would you consider investing or know "
            "someone who might?",
        ),
        (
            "message",
            "Hi Dana, I'm putting together a syndicate for a promising supply chain company. "
            "Tickets start at $25k. Can I send you the memo?",
        ),
        (
            "invitation",
            "Founder here. We are looking for investment to launch our fintech app in Brazil."
            " Could you help us find investors?",
        ),
        (
            "message",
            "Hi Dana, we're closing a $2M seed next month and still have room for a few "
            "angels. Would you like to see our deck?",
        ),
        (
            "invitation",
            "Hi Dana, I'm the co-founder of a freight marketplace and we're looking for seed "
            "investors with supply chain experience. Can we talk?",
        ),
        (
            "message",
            "Hey Dana, could you introduce me to Rachel at Alder Creek? We're raising and I "
            "think we'd be a great fit for her fund.",
        ),
        (
            "message",
            "Hallo Dana, wir sind ein Logistik-Startup aus Berlin und suchen Investoren für "
            "unsere Finanzierungsrunde. Hätten Sie Interesse, sich zu beteiligen?",
        ),
        (
            "message",
            "Bonjour Dana, notre startup prépare une levée de fonds de 1 million d'euros. "
            "Nous cherchons des investisseurs qui connaissent la logistique. Seriez-vous "
            "intéressée ?",
        ),
        (
            "message",
            "Hola Dana, somos una startup de logística en Bogotá y estamos buscando "
            "inversores para nuestra ronda de financiación. ¿Te interesaría invertir?",
        ),
        (
            "message",
            "Olá Dana, somos uma startup de logística em São Paulo e estamos buscando "
            "investidores para nossa rodada de investimento. Você teria interesse em "
            "investir?",
        ),
        (
            "message",
            "Bonjour Dana, nous cherchons des investisseurs pour notre tour d'amorçage. "
            "Seriez-vous intéressée à investir dans notre startup ?",
        ),
        (
            "message",
            "Hallo Dana, wir sammeln gerade Kapital für unser Startup ein. Hätten Sie "
            "Interesse, als Business Angel einzusteigen?",
        ),
        (
            "message",
            "Olá Dana, estamos captando recursos para a nossa startup de logística. Você "
            "gostaria de investir conosco?",
        ),
        (
            "inmail",
            "Hello Dana, our family office is looking to deploy capital in logistics software"
            " and we'd like to discuss a potential acquisition of your business. What "
            "valuation would you consider?",
        ),
        (
            "message",
            "Hi Dana, I'm raising a friends-and-family round for my logistics startup. Would "
            "you be willing to chip in? Even $5k would make a difference.",
        ),
        (
            "invitation",
            "Hi Dana, we're a climate startup backed by Techstars, looking for strategic "
            "angels in logistics for our upcoming round. Interested in learning more?",
        ),
        (
            "message",
            "Hey Dana, do you have any contacts at Alder Creek Ventures? We'd love a warm "
            "intro for our seed raise.",
        ),
        (
            "message",
            "Hi Dana, would you like to invest in our startup? We have 18 months of runway "
            "and strong traction, and a few angels already committed.",
        ),
        (
            "inmail",
            "Dear Dana, I'd like to present an investment opportunity: a 5% equity stake in a"
            " profitable logistics company for $150k.",
        ),
        (
            "invitation",
            "We are pre-revenue with a solid funding plan. Happy to share the pitch deck if "
            "you want to get in early!",
        ),
        (
            "message",
            "Hi Dana, we just launched on Wefunder. Would you consider putting money into our"
            " round? Any financial support means a lot.",
        ),
        (
            "invitation",
            "Hi Dana, building a fintech for truckers and raising our first round. Would love"
            " your support as an early investor.",
        ),
        (
            "message",
            "Dana, I know you have a great network in logistics. We are seeking $1M to scale "
            "our freight app. Could you help us meet some investors?",
        ),
        (
            "message",
            "Hi Dana, we're looking for partners to fund our expansion into Canada. Would you"
            " like an opportunity to invest, or to buy shares in the company?",
        ),
        (
            "invitation",
            "Hi Dana, we're a two-person team building carbon tracking for freight. We're "
            "opening a small round for operators like you. Can I send you the details?",
        ),
        (
            "message",
            "Hey Dana, would you be open to advising us and taking a small equity position as"
            " an investor? We're closing our pre-seed next month.",
        ),
        (
            "inmail",
            "Dear Dana, our medtech company is looking for strategic partners to finance "
            "phase two of our clinical trial. Minimum participation is $50,000. May I share "
            "our investor presentation?",
        ),
        (
            "message",
            "Hi Dana, I'm putting together my cap table for a new AI logistics venture. Would"
            " you want to come in as one of the first backers?",
        ),
        (
            "message",
            "Hi Dana, quick ask: we're 80% through our seed and looking for one more "
            "strategic angel from logistics. Any interest?",
        ),
        (
            "message",
            "Hi Dana, my startup is raising a bridge round to extend runway. Do you know "
            "anyone who invests in B2B logistics? A warm intro would help enormously.",
        ),
        (
            "invitation",
            "Hi Dana, I'm raising capital for a new cold-storage warehouse in Salem and "
            "looking for co-investors. Open to a chat?",
        ),
        (
            "message",
            "Hi Dana, we're a YC alum startup. We'd love to have you on our cap table. "
            "Allocation is limited.",
        ),
        (
            "invitation",
            "Hi Dana, I'm the founder of a drone delivery startup and we're looking for our "
            "first institutional or angel money. Would you meet?",
        ),
        (
            "message",
            "Hey Dana, any chance you'd want to be part of our angel round? We're building "
            "route optimization for last-mile fleets.",
        ),
    ],
    "contact_harvest": [
        # introductions to the recipient's customers, for a referral fee (ninth session)
        (
            "inmail",
            "Marcus, I know Brenner doesn't need us, but your customers might. Would you be open "
            "to introducing me to three or four of your accounts? There's a referral fee in it "
            "for you.",
        ),
        (
            "invitation",
            "Hi Dana! I'm building a private community for operations leaders, 300 members "
            "already. Would love for you to join and bring along a few peers you trust.",
        ),
        (
            "message",
            "Salut Dana, tu aurais les courriels des responsables achats chez Decathlon et "
            "Leroy Merlin ? Ça m'aiderait beaucoup !",
        ),
        (
            "message",
            "Hi Dana, I'm growing a community of hospital pharmacists and it would be great if "
            "you could invite a few colleagues from your network who'd enjoy it. I'll send you "
            "the link.",
        ),
        (
            "message",
            "Hey Dana, thanks for connecting! Could you put me in touch with the VP of "
            "Engineering at Fernhill? I have a proposal for them.",
        ),
        (
            "invitation",
            "Hi Dana, I'm connecting with data professionals in Portland to grow my network. "
            "The more connections the better!",
        ),
        (
            "message",
            "Dana, do you happen to know anyone in procurement at a large retailer? I'd "
            "appreciate a few names and contact details.",
        ),
        (
            "inmail",
            "Hi Dana, we're building a database of data leaders. Could you share the emails "
            "of your team leads so we can invite them?",
        ),
        (
            "message",
            "Hi Dana, would you mind recommending me to your connections? Just a quick post "
            "or a share would help a lot.",
        ),
        (
            "message",
            "Dana, could you share a list of your colleagues in the data team with their "
            "emails? I'd like to invite them to our webinar.",
        ),
        (
            "invitation",
            "I'm trying to connect with as many logistics professionals as possible. Please "
            "accept and share my profile with your network!",
        ),
        (
            "message",
            "Hey Dana, can you introduce me to whoever handles IT purchasing at Fernhill? "
            "Thanks a lot.",
        ),
        (
            "message",
            "Hallo Dana, ich möchte mein Netzwerk erweitern. Könnten Sie mich Ihren Kontakten"
            " im Einkauf vorstellen?",
        ),
        (
            "message",
            "Bonjour Dana, je cherche à développer mon réseau. Pourriez-vous me mettre en "
            "relation avec vos contacts chez Fernhill ?",
        ),
        (
            "message",
            "Hola Dana, quiero ampliar mi red en Estados Unidos. ¿Podrías presentarme a tus "
            "contactos en el área de compras?",
        ),
        (
            "message",
            "Olá Dana, quero expandir minha rede nos Estados Unidos. Você poderia me "
            "apresentar aos seus contatos na área de compras?",
        ),
        (
            "message",
            "Hola Dana, ¿podrías compartir conmigo los correos de tus contactos en logística?"
            " Estoy ampliando mi red.",
        ),
        ("message", "Hallo Dana, könnten Sie mir die Kontaktdaten Ihres Einkaufsleiters geben?"),
        ("message", "Olá Dana, você poderia me passar o e-mail do seu diretor de TI?"),
        (
            "inmail",
            "Hi Dana, quick research question: which CRM does your sales team use, and how "
            "many engineers are on the data team? Also, who makes the buying decisions for "
            "analytics tools?",
        ),
        (
            "message",
            "Hi Dana, join our referral program: every person you refer earns you reward "
            "points. Just send me a list of friends who work in IT!",
        ),
        (
            "message",
            "Hallo Dana, könnten Sie mich bei Ihrem Einkaufsleiter vorstellen? Ihre Kontakte "
            "in der Branche wären für mich sehr wertvoll.",
        ),
        (
            "message",
            "Hi Dana, I'm putting together a mailing list of logistics data people. Would you"
            " mind sending me the contact info of anyone on your team who'd be interested?",
        ),
        (
            "invitation",
            "Hi Dana, I'm on a mission to connect with every data engineer in Oregon! Please "
            "accept 🙏",
        ),
        (
            "message",
            "Hi Dana, who would be the best person at Fernhill to talk to about your freight "
            "contracts? Could you share their name and email?",
        ),
        (
            "message",
            "Hi Dana, could you share my job post with your network? Also, please tag someone"
            " who might be interested!",
        ),
        (
            "invitation",
            "Hi Dana, please follow my company page and like my latest post. It would help us"
            " grow!",
        ),
        (
            "message",
            "Hi Dana, do you know anyone who might be interested in a senior analyst role at "
            "my company? Feel free to refer friends or colleagues.",
        ),
        (
            "message",
            "Hi Dana, can you tell me who your manager is and how I can reach them? I'd like "
            "to pitch them a service.",
        ),
        (
            "invitation",
            "Hello Dana, I'm building my network in the Pacific Northwest. Would love to "
            "connect and be introduced to your contacts in supply chain.",
        ),
        (
            "message",
            "Hi Dana, I'm compiling a list of data leaders at logistics companies in the US. "
            "Could you point me to the heads of data at your partners?",
        ),
        (
            "invitation",
            "Hi Dana, I'd love to tap into your network of supply chain executives. Let's connect!",
        ),
        (
            "message",
            "Hi Dana, could you connect me with the person who runs data engineering hiring "
            "at Fernhill? I'm a recruiter and would like to offer our services.",
        ),
        (
            "inmail",
            "Hi Dana, I'm doing research on the logistics data market. What tools does "
            "Fernhill use for ETL, and what's your annual budget for data tooling?",
        ),
        (
            "invitation",
            "Hi Dana, connecting with leaders at Fernhill to learn who handles vendor "
            "partnerships. Would you point me in the right direction?",
        ),
        (
            "message",
            "Hi Dana, can you share the email of your IT director? I have a proposal I'd like"
            " to send.",
        ),
        (
            "invitation",
            "Hi Dana, I'm hoping to meet more people in logistics tech. Could you introduce "
            "me to a few of your colleagues?",
        ),
        (
            "message",
            "Hi Dana, would you be willing to forward my deck to your CTO and the procurement"
            " team? It would mean a lot.",
        ),
        (
            "invitation",
            "Hi Dana, I see you have 500+ connections in logistics. I'd love to get "
            "introduced to some of them.",
        ),
        (
            "message",
            "Hi Dana, do you have any contacts at Amazon Freight? I'd really appreciate an "
            "introduction.",
        ),
    ],
    "pitch": [
        (
            "invitation",
            "Hallo Herr Brandt, wir vermieten Bautrockner für Ihre Projekte, mieten statt kaufen, "
            "Lieferung am nächsten Tag. Gern schicke ich Ihnen unsere Preisliste.",
        ),
        # a closed beta offered free to early users (ninth session)
        (
            "invitation",
            "Jonas, we're running a closed beta of a k8s fault-injection tool and I'd love your "
            "honest take on it. Early users get it free for life.",
        ),
        # a seller offering a price or a quote (ninth session)
        (
            "message",
            "Salut Camille, on a maintenant des palettes recyclées livrées en 48h sur l'île. "
            "Je peux te faire un prix pour 500?",
        ),
        (
            "message",
            "Buenos días Tomás, tenemos excedente de bobinas de papel kraft a precio de "
            "liquidación, entrega inmediata. ¿Te paso un precio?",
        ),
        (
            "message",
            "Hi Priya, happy to send you a free quote for a faster checkout on your site, we "
            "fix shops like yours in two days.",
        ),
        (
            "message",
            "Bumping this up! Let me know if Thursday works for a short walkthrough, "
            "otherwise grab any slot in my calendar.",
        ),
        (
            "inmail",
            "Hola Dana, te escribo porque has sido seleccionada para aparecer en nuestra "
            "edición «50 Líderes del Retail 2026». El paquete incluye entrevista y fotos, "
            "desde 1.200 USD. ¿Te envío los detalles?",
        ),
        (
            "message",
            "Hola Dana, hacemos señalética personalizada para hoteles y restaurantes, con "
            "envío en 48h. ¿Te paso catálogo y tarifas?",
        ),
        (
            "inmail",
            "Dr Lee, we'd love to feature you on our podcast for surgeons. Guest features "
            "start at $1,800 including editing and promotion.",
        ),
        (
            "inmail",
            "Hi Dana, loved your talk on warehouse slotting. Pick-path congestion is exactly the "
            "problem we solve: a routing layer on top of your WMS, live in a week. Would "
            "Tuesday work for a quick walkthrough?",
        ),
        (
            "inmail",
            "Guten Tag Frau Lee, wir übernehmen die komplette Fördermittelberatung für Ihre "
            "Wärmepumpe, rein erfolgsbasiert. Wann passt Ihnen ein kurzes Telefonat?",
        ),
        (
            "invitation",
            "Bonjour Dana, nous sommes une agence de traduction technique (EN/FR/DE), délais "
            "courts et tarifs compétitifs. Au plaisir d'échanger !",
        ),
        (
            "invitation",
            "Hallo Dana, wir unterstützen Steuerkanzleien bei der Digitalisierung der "
            "Belegerfassung. Hätten Sie Interesse an einem kurzen Austausch?",
        ),
        # a question about the recipient's work as the opener of a product pitch
        (
            "message",
            "Hi Dana, curious: how does your team track warehouse returns today? We've built a "
            "returns dashboard that plugs into most ERPs. Would your team be up for a pilot?",
        ),
        # contact data for sale
        (
            "message",
            "Hi Dana, we hold a verified list of 9,000 procurement managers in the Nordics, "
            "with direct dials, refreshed quarterly. Would a sample of 50 records help?",
        ),
        (
            "inmail",
            "Hi Dana, are you still using spreadsheets to track carrier SLAs? Our platform "
            "automates it end to end and plugs into Snowflake in a day. Open to a 20-minute "
            "demo next week?",
        ),
        (
            "invitation",
            "Hi Dana, I run a boutique data consultancy. We've helped 40+ logistics firms "
            "modernise their pipelines. Happy to share a case study if useful!",
        ),
        (
            "message",
            "Dana, I'd love to get your feedback on our new observability product. It's a "
            "15-minute call and we'll send you a $50 gift card for your time.",
        ),
        (
            "inmail",
            "Hello Dana, I'm reaching out because companies like Fernhill use our software to"
            " reduce warehouse errors by 35%. Do you have time for a quick call this week to "
            "explore if it's a fit?",
        ),
        (
            "invitation",
            "Hi Dana, our agency builds dashboards for supply chain teams. Can I show you "
            "some examples?",
        ),
        (
            "message",
            "Hi Dana, I'm not selling anything, just curious: how does your team handle data "
            "contracts today? We've built a tool that enforces them in CI and I'd love to "
            "show you.",
        ),
        (
            "inmail",
            "Hi Dana, data teams at companies like Fernhill waste 30% of their warehouse "
            "spend on idle compute. Our tool finds and fixes it automatically. Worth a 15-min"
            " look?",
        ),
        (
            "message",
            "Hey Dana! We're offering a free pilot of our data catalog to 10 logistics "
            "companies this quarter. Would Fernhill like one of the spots?",
        ),
        (
            "invitation",
            "Hi Dana, I help data leaders hire faster with our AI interview platform. Would "
            "love to connect and share more.",
        ),
        (
            "inmail",
            "Hi Dana, I'm reaching out from Vectrix. We provide offshore data engineering "
            "teams at a fraction of the cost. Could we schedule a call to discuss your needs?",
        ),
        (
            "inmail",
            "Hallo Frau Reyes, unsere Plattform hilft Logistikteams, ihre Cloud-Kosten um 30 "
            "% zu senken. Hätten Sie nächste Woche 15 Minuten für eine kurze Demo? Natürlich "
            "unverbindlich.",
        ),
        (
            "inmail",
            "Bonjour Dana, notre plateforme aide les équipes data à réduire leurs coûts de "
            "stockage. Je vous propose une démonstration gratuite, sans engagement.",
        ),
        (
            "inmail",
            "Hola Dana, nuestra plataforma ayuda a los equipos de datos a reducir sus costos "
            "de almacenamiento. ¿Tienes 15 minutos para una demostración sin compromiso?",
        ),
        (
            "inmail",
            "Olá Dana, nossa plataforma ajuda equipes de dados a reduzir custos de "
            "armazenamento. Você teria 15 minutos para uma demonstração sem compromisso?",
        ),
        (
            "inmail",
            "Hallo Dana, wir bieten eine Software, mit der Logistikunternehmen ihre "
            "Datenqualität automatisch überwachen. Darf ich Ihnen in einer kurzen "
            "Präsentation zeigen, wie das funktioniert?",
        ),
        (
            "inmail",
            "Hola Dana, ayudamos a empresas de logística a reducir sus costes de nube en un "
            "30 %. ¿Podemos agendar una demo de 20 minutos?",
        ),
        (
            "message",
            "Hallo Dana, wir helfen Logistikunternehmen, ihre Datenpipelines zu "
            "automatisieren. Haben Sie Interesse an einem kostenlosen Erstgespräch?",
        ),
        (
            "inmail",
            "Hi Dana, our revolutionary AI copilot is a game changer for data teams. Could I "
            "get 10 minutes of your time? There's no cost to you and no obligation.",
        ),
        (
            "inmail",
            "Hallo Dana, mit unserer Software können Sie Ihre Kosten deutlich senken. Eine "
            "kostenlose Demo dauert nur 20 Minuten.",
        ),
        (
            "inmail",
            "Bonjour Dana, notre solution réduit vos coûts cloud. Avez-vous 15 minutes pour "
            "une démo gratuite ?",
        ),
        (
            "invitation",
            "Hi Dana, I'd love to connect and tell you about how our data platform helps "
            "logistics teams ship dashboards 5x faster.",
        ),
        (
            "inmail",
            "Hi Dana, congrats on Fernhill's growth! I lead partnerships at Quanta Cloud. "
            "Many logistics companies are moving to our managed warehouse. Would you be open "
            "to a short intro call to see if there's synergy?",
        ),
        (
            "message",
            "Hi Dana, I'm hosting an exclusive roundtable for data leaders next month, "
            "sponsored by our company. Seats are limited, can I save you one? We'd also love "
            "to show you our new product afterwards.",
        ),
        (
            "inmail",
            "Hi Dana, I'd love to learn about your current data stack and explore whether we "
            "could help. Our customers include three of the top ten 3PLs, and our clients see"
            " 40% faster pipelines. Download our free ebook here.",
        ),
        (
            "message",
            "Hi Dana, we're a cheaper alternative to Fivetran and we integrate with Snowflake"
            " in minutes. Trusted by 300 data teams.",
        ),
        (
            "message",
            "Hi Dana, quick question: how much time does your team spend on manual data "
            "quality checks each week? We automate 90% of that. Happy to show you.",
        ),
        (
            "inmail",
            "Hello Dana, we are providing best quality data annotation services at very low "
            "cost with 24/7 support. Kindly let me know a suitable time for a call.",
        ),
        (
            "inmail",
            "Dear Sir/Madam, we are a leading IT outsourcing company offering dedicated "
            "developers at $20/hour. Please let us know your requirements.",
        ),
        (
            "message",
            "Hi Dana, is improving pipeline reliability a priority for Fernhill this quarter?"
            " If so, I have an idea that could help. Open to a quick chat?",
        ),
        (
            "invitation",
            "Hi Dana, we're a data consultancy specializing in Snowflake migrations. I'd love"
            " to introduce our services and discuss a partnership opportunity.",
        ),
        (
            "inmail",
            "Hi Dana, could I have 15 minutes of your time to present our platform? It cuts "
            "warehouse costs by a third.",
        ),
        (
            "message",
            "Hi Dana, do you have a minute? Curious whether your team has looked at replacing"
            " Airflow. We built a managed orchestrator that our customers say cut pipeline "
            "failures in half.",
        ),
        (
            "invitation",
            "Hi Dana! I'm the founder of Pipewise, the observability tool for dbt. Would love"
            " to get it in front of your team.",
        ),
        (
            "message",
            "Hi Dana, I noticed Fernhill is scaling its data team. We help companies like "
            "yours onboard engineers faster with our training platform. Open to a 15-minute "
            "intro?",
        ),
        (
            "invitation",
            "Hi Dana, I work with leading logistics teams to reduce their cloud spend. Would "
            "love to share a few ideas that might help Fernhill.",
        ),
        (
            "inmail",
            "Hi Dana, we've just released a connector that streams Kafka straight into "
            "Snowflake with zero code. Would you like a free trial for your team?",
        ),
        (
            "message",
            "Hi Dana, I saw your post about data contracts, great read! We actually built a "
            "tool that enforces them automatically. Would you be up for a quick demo?",
        ),
        (
            "inmail",
            "Hi Dana, would your team be interested in a done-for-you dashboard package? We "
            "build custom Looker dashboards in 2 weeks for a flat fee.",
        ),
        (
            "message",
            "Hi Dana, we're a team of data engineers for hire. Need extra hands on your "
            "pipelines? We can start next week.",
        ),
        (
            "message",
            "Hi Dana, hope you don't mind the direct message. We work with logistics "
            "companies on data strategy and I'd love to set up a meeting with you and your "
            "team to explore how we can add value.",
        ),
        (
            "invitation",
            "Hi Dana! We just launched an AI copilot for dbt and I'd love your feedback as an"
            " early user. Can I send you access?",
        ),
        (
            "message",
            "Hi Dana, we partner with logistics companies to turn their raw tracking data "
            "into revenue. Would you be open to learning how?",
        ),
        (
            "inmail",
            "Hi Dana, we help companies like Fernhill hire data engineers faster with our AI "
            "recruiting platform. Can I show you a quick demo?",
        ),
    ],
    "free_work": [
        (
            "message",
            "Hi Tom, my landlord wants to raise the rent by 30% mid-lease. What would you do in my "
            "shoes? You're the only lawyer I know, so any pointers are welcome!",
        ),
        (
            "message",
            "Hi Dana, we're a zero-budget community choir. Could you design our concert "
            "poster? We'd credit you on the programme.",
        ),
        (
            "message",
            "Hi Dana, loved your workshop on plain-language forms. Could you rewrite our "
            "volunteer sign-up form for us? We're a zero budget group but it's for a good cause.",
        ),
        (
            "message",
            "Hi Dana, you do employment law, don't you? Could you glance over my contract "
            "before I sign it on Monday? Just the non-compete part.",
        ),
        (
            "message",
            "Hi Dana, I'm a bootcamp grad trying to break into data engineering. Could you "
            "spare some time to give me advice on what to learn next?",
        ),
        (
            "inmail",
            "Hello Dana, we are a nonprofit and can't afford consultants. Would you volunteer"
            " a few hours to set up our data warehouse?",
        ),
        (
            "message",
            "Hey Dana, quick favour: could you look over my SQL for an interview take-home "
            "and tell me if it's any good?",
        ),
        (
            "invitation",
            "Hi Dana, I'm building an app and looking for a data engineer to partner with me."
            " I can offer equity instead of pay.",
        ),
        (
            "message",
            "Dana, I saw you worked at Fernhill. Could you refer me for the analyst opening "
            "there? I'd really appreciate it.",
        ),
        (
            "inmail",
            "Hi Dana, could you write a short guest article for our company blog about "
            "streaming pipelines? We can't pay but we'll link to your profile.",
        ),
        (
            "message",
            "Hi Dana, I'm preparing for data engineering interviews. Could you do a mock "
            "system design interview with me this weekend?",
        ),
        (
            "inmail",
            "Hello Dana, I am a student from Nairobi. Please can you teach me Kafka? I want "
            "to learn from you, I will be very grateful.",
        ),
        (
            "message",
            "Hey Dana, I'm launching a startup and need help designing our data architecture."
            " Could you hop on a few calls with our team? We can't pay right now but I'd owe "
            "you one.",
        ),
        (
            "message",
            "Hallo Dana, ich studiere Informatik und suche einen Mentor. Könnten Sie sich "
            "meinen Lebenslauf anschauen und mir Ihre Meinung sagen? Leider kann ich nichts "
            "bezahlen, es wäre also unentgeltlich.",
        ),
        (
            "message",
            "Bonjour Dana, je suis étudiant et je cherche un mentor. Pourriez-vous relire mon"
            " CV et me donner vos conseils ? Je ne peux pas vous payer, c'est bénévole.",
        ),
        (
            "message",
            "Hola Dana, soy estudiante y busco un mentor. ¿Podrías revisar mi CV y darme tu "
            "opinión? No puedo pagar, sería sin remuneración.",
        ),
        (
            "message",
            "Olá Dana, sou estudante e procuro um mentor. Você poderia revisar meu currículo "
            "e me dar sua opinião? Não posso pagar, seria sem remuneração.",
        ),
        (
            "message",
            "Hallo Dana, ich schreibe meine Masterarbeit über Stream Processing. Könnten Sie "
            "mir kostenlos ein paar Fragen beantworten und meinen Code anschauen?",
        ),
        (
            "message",
            "Olá Dana, estou começando na área de dados. Você poderia ser minha mentora e "
            "revisar meu portfólio? Não tenho como pagar.",
        ),
        (
            "message",
            "Bonjour Dana, je lance mon entreprise et j'aurais besoin d'un coup de main pour "
            "concevoir notre architecture de données. Malheureusement, nous n'avons pas de "
            "budget.",
        ),
        (
            "message",
            "Hola Dana, soy estudiante y estoy haciendo mi tesis sobre Kafka. ¿Podrías "
            "ayudarme gratis a revisar mi código?",
        ),
        (
            "message",
            "Hi Dana, could I pick your brain over coffee? I have a bunch of questions about "
            "moving from analytics into data engineering.",
        ),
        (
            "invitation",
            "Hi Dana, would you be willing to mentor me? I'm just starting out in data "
            "engineering.",
        ),
        (
            "inmail",
            "Hi Dana, I'm looking for someone technical to build our MVP and would love to "
            "collaborate with you on it. We can share equity.",
        ),
        (
            "message",
            "Hallo Dana, wir suchen jemanden, der unsere Datenpipeline aufbaut, gegen Anteile"
            " statt Gehalt. Es wäre unbezahlt am Anfang.",
        ),
        (
            "message",
            "Bonjour Dana, je cherche un développeur pour construire notre application, "
            "contre des parts de la société. C'est sans rémunération au début.",
        ),
        (
            "message",
            "Hola Dana, busco un socio técnico para construir nuestra app a cambio de "
            "acciones. Sería sin pago al principio.",
        ),
        (
            "message",
            "Olá Dana, procuro alguém para construir nosso MVP em troca de participação. "
            "Seria sem remuneração no início.",
        ),
        (
            "message",
            "Hi Dana, could you answer a few questions about how you got into data "
            "engineering? It's for my career planning.",
        ),
        (
            "message",
            "Hi Dana, I'm writing a blog series on data engineering careers. Could you write "
            "500 words about your journey for it? Unfortunately there's no budget, but it's "
            "great exposure.",
        ),
        (
            "inmail",
            "Hi Dana, my company is choosing between Kafka and Pulsar. Could you spend an "
            "hour walking my team through the pros and cons? We're a tiny company so there's "
            "no budget for a consultant.",
        ),
        (
            "message",
            "Dana, I applied to a data engineering role at Fernhill. Could you put in a good "
            "word for me with the hiring manager?",
        ),
        ("message", "Hi Dana, could you forward my resume to your hiring team? I'd be grateful."),
        (
            "message",
            "Hi Dana, we're organizing a hackathon and need mentors. Can you volunteer your "
            "Saturday to help the teams? Unfortunately we can't pay.",
        ),
        (
            "inmail",
            "Hi Dana, I am conducting research for my MBA. Could you spare an hour to be "
            "interviewed about data strategy at Fernhill? There is no compensation, "
            "unfortunately.",
        ),
        (
            "message",
            "Hi Dana, I'm organising a free community workshop and need someone to run a "
            "session on Kafka. We can't offer payment but you'd get great visibility.",
        ),
        (
            "message",
            "Hi Dana, I'm building my portfolio and would love to shadow you or help on any "
            "side projects, even for free. Do you have anything I could work on?",
        ),
        (
            "message",
            "Dana, you're the expert on streaming: could you jump on a quick call to help us "
            "debug our Flink job? We're under pressure and don't have budget for consultants.",
        ),
        (
            "invitation",
            "Hi Dana, I'm a junior developer and I'd love it if you could mentor me once a "
            "week. I'm eager to learn!",
        ),
        (
            "message",
            "Hi Dana, I'm launching a newsletter about data careers. Would you write a guest "
            "column every month? It's a passion project so there's no pay.",
        ),
        (
            "message",
            "Hi Dana, I run a small nonprofit that tracks food donations. Could you build us "
            "a simple data pipeline? We're volunteers ourselves, so we can't pay, but it "
            "would help a lot of people.",
        ),
        (
            "inmail",
            "Hi Dana, I'm interviewing for data engineering jobs. Could you give me some tips"
            " on system design interviews and maybe look at my take-home?",
        ),
        (
            "message",
            "Hi Dana, can you help me write my cover letter for a data engineering job? You "
            "know what hiring managers want.",
        ),
        (
            "message",
            "Hi Dana, my team is stuck choosing a data warehouse. Could you hop on a call and"
            " give us your recommendation? It'd be a huge favour.",
        ),
    ],
    "recruiter": [
        (
            "message",
            "Hola Marta, un cliente nuestro, una cadena de clínicas en Sevilla, busca directora "
            "financiera con experiencia en grupos sanitarios. ¿Te interesaría saber más?",
        ),
        (
            "inmail",
            "Olá Rui, o nosso cliente, um grupo industrial em Aveiro, procura um diretor de "
            "operações para a nova fábrica. Posso ligar-lhe amanhã para lhe explicar a proposta?",
        ),
        # a contract with its day rate (ninth session); a client asking the rate is genuine
        (
            "inmail",
            "Hallo Herr Brandt, für einen Kunden in Frankfurt suche ich einen Senior "
            "SAP-Berater, Projektlaufzeit 9 Monate, Tagessatz bis 950 €, 80 % remote. Hätten "
            "Sie Interesse?",
        ),
        (
            "message",
            "Hi Dana, kurze Frage: Wärst du offen für ein freiberufliches Projekt ab Mai? 6 "
            "Monate, Auslastung 80 %, Stundensatz um die 100 €.",
        ),
        (
            "message",
            "Hallo Dana, ich such für einen Kunden in Graz eine Projektleiterin Hochbau, "
            "Jahresbrutto ab 70k. Interesse?",
        ),
        (
            "inmail",
            "Hi Dana, I'm running a retained search for a CFO at a listed retailer. Could "
            "we have a discreet conversation this week?",
        ),
        (
            "message",
            "Hey Dana, loved your talk on event sourcing. Honest question: are you happy where "
            "you are? A logistics scale-up I work with needs someone to lead their platform "
            "team.",
        ),
        (
            "message",
            "Oi Dana! Vi que você trabalha com Flutter. Estou montando o time de mobile de uma "
            "healthtech em Recife, vaga CLT, modelo híbrido. Bora conversar?",
        ),
        (
            "inmail",
            "Hi Dana, I'm with Northgate Talent. We're working on a Principal Data Engineer "
            "opportunity with a logistics unicorn, fully remote, $220k base plus equity. "
            "Would you be open to a confidential chat?",
        ),
        (
            "invitation",
            "Hi Dana, I lead talent at Orbital Freight and we're hiring our first data "
            "platform lead. Your background looks like a great match. Open to chat?",
        ),
        (
            "message",
            "Hi Dana, I came across your profile and think you'd be a strong candidate for a "
            "Staff Data Engineer position we're trying to fill. Interested in learning more?",
        ),
        (
            "inmail",
            "Dana, I'm not a recruiter, I'm the CTO at Quayline. We're looking for someone to"
            " own our data platform and I think you'd be amazing. Could we talk about the "
            "job?",
        ),
        (
            "invitation",
            "Hi Dana, we have several contract positions for Kafka engineers, 6 months, "
            "remote. Would you like more details?",
        ),
        (
            "message",
            "Hi Dana, I'm a talent partner at Streamline. We are looking for a Data "
            "Engineering Manager to lead a team of 8. Hybrid in Portland. Are you open to new"
            " opportunities?",
        ),
        (
            "invitation",
            "Hi Dana, your experience with Kafka and logistics caught my attention. I have a "
            "role that could be a great next step for you. Let's connect!",
        ),
        (
            "inmail",
            "Hi Dana, we're a Series A startup and we're hiring a founding data engineer. "
            "Competitive salary and equity. Would you like to hear more?",
        ),
        (
            "invitation",
            "Hallo Dana, wir suchen eine Senior Data Engineer (m/w/d) für unseren Kunden in "
            "München. Ihr Profil passt sehr gut. Gehalt bis 90.000 EUR.",
        ),
        (
            "inmail",
            "Bonjour Dana, nous recrutons un Lead Data Engineer en CDI pour un de nos clients"
            " à Paris. Votre profil correspond parfaitement. Salaire attractif et télétravail"
            " possible.",
        ),
        (
            "inmail",
            "Hola Dana, buscamos un Data Engineer senior para una vacante en Madrid. Tu "
            "perfil encaja muy bien. Salario competitivo y teletrabajo.",
        ),
        (
            "inmail",
            "Olá Dana, temos uma vaga de Data Engineer sênior para um cliente em Lisboa. Seu "
            "perfil combina muito bem. Salário competitivo e trabalho remoto.",
        ),
        (
            "inmail",
            "Bonjour Dana, je suis consultante en recrutement. Un de mes clients recherche un"
            " Head of Data en télétravail. Seriez-vous ouverte à en discuter ?",
        ),
        (
            "inmail",
            "Hola Dana, estamos contratando un ingeniero de datos senior para nuestro equipo "
            "en Barcelona. ¿Te interesaría conocer la oferta?",
        ),
        (
            "inmail",
            "Olá Dana, estamos recrutando uma engenheira de dados sênior para nossa equipe em"
            " São Paulo. Teria interesse em conhecer a vaga?",
        ),
        (
            "inmail",
            "Guten Tag Frau Reyes, im Auftrag eines Mandanten suche ich eine erfahrene "
            "Führungskraft für den Bereich Data Engineering. Wären Sie offen für einen "
            "vertraulichen Austausch?",
        ),
        (
            "inmail",
            "Hola Dana, soy reclutadora en una consultora de Madrid. Tenemos una oportunidad "
            "como Head of Data para un cliente. ¿Hablamos?",
        ),
        (
            "inmail",
            "Hi Dana, I'm running an executive search for a VP Data role at a logistics "
            "scale-up. Even if you're not actively looking, could you send me your updated "
            "CV?",
        ),
        (
            "inmail",
            "Bonjour Dana, une belle opportunité pour un de nos clients : un poste de Head of"
            " Data à Lyon. Votre profil correspond très bien.",
        ),
        (
            "inmail",
            "Hola Dana, tengo una oportunidad laboral con un cliente en Barcelona: un puesto "
            "de Data Lead. Tu perfil encaja muy bien.",
        ),
        (
            "inmail",
            "Olá Dana, tenho uma oportunidade com um cliente em Lisboa: uma vaga de Data "
            "Lead. Seu perfil combina muito bem.",
        ),
        (
            "message",
            "Hi Dana, I hope you're well. I'm reaching out about a Head of Data Engineering "
            "position with one of our clients, a fast-growing 3PL. The package is very "
            "competitive. Would you be open to a brief call?",
        ),
        (
            "invitation",
            "Hi Dana, I'm a technical recruiter at Northwind. Would love to connect and share"
            " some roles that match your background.",
        ),
        (
            "inmail",
            "Hello Dana, are you open to new challenges? We are a logistics scale-up looking "
            "for an experienced Data Engineer to join our platform team in Portland. Let me "
            "know if you'd like to learn more about the role.",
        ),
        (
            "message",
            "Dana, quick note: my client is building a data team from scratch and the first "
            "hire would report directly to the CTO. Remote OK. Worth a chat?",
        ),
        (
            "inmail",
            "Hi Dana, my client is looking for a data platform lead in Seattle. I think you'd"
            " be a great fit. Happy to send the job description.",
        ),
        (
            "invitation",
            "Hi Dana, our team is hiring a Staff Analytics Engineer. The interview process is"
            " quick. Interested?",
        ),
        (
            "inmail",
            "Hi Dana, your background caught my attention. We have two senior positions open "
            "on our data team and you'd be a strong candidate for either.",
        ),
        (
            "inmail",
            "Hi Dana, I'm a headhunter specialising in data leadership. One of my clients, a "
            "top-tier logistics brand, is looking for a VP Data. Would you be open to a "
            "confidential conversation?",
        ),
        (
            "message",
            "Hey Dana, we're growing our data org at Quayline and I'd love to tell you about "
            "an opening on my team. It's a lead role with lots of ownership. Any interest?",
        ),
        (
            "invitation",
            "Hi Dana, I'm helping a stealth startup build their founding data team. "
            "Competitive comp + equity. Open to hearing more?",
        ),
        (
            "inmail",
            "Dear Dana, kindly find attached the JD for a Big Data Architect opening in "
            "Dallas, TX. Please share your updated resume and your availability for a call.",
        ),
        (
            "message",
            "Hi Dana, I'm not a recruiter, I'm the head of engineering at Pallet. We have an "
            "opening for a staff data engineer and I'd love to talk with you about it.",
        ),
        (
            "inmail",
            "Greetings of the day Dana! We have an excellent opening for Data Engineer with "
            "our esteemed client in Phoenix AZ. Kindly revert with your updated profile, "
            "current CTC and notice period.",
        ),
        ("invitation", "HI DANA, WE ARE HIRING DATA ENGINEERS, REMOTE, GOOD PAY. INTERESTED?"),
        (
            "message",
            "Hi Dana, just checking whether you saw my note about the staff engineer position"
            " at Loomwise? The team would love to meet you.",
        ),
        (
            "inmail",
            "Dana, would you consider a move to Europe? A Berlin mobility company is "
            "searching for a Head of Data Platform. Relocation package and visa sponsorship "
            "provided.",
        ),
        (
            "message",
            "Hey Dana! Long time since Brightline 😊 I'm at TalentBridge now and I have a role"
            " that's perfect for you. Free to chat this week?",
        ),
        (
            "invitation",
            "Hi Dana, I help data engineers land roles at top logistics companies. Open to "
            "new opportunities this year?",
        ),
        (
            "inmail",
            "Hi Dana, we're hiring a Business Development Manager for our analytics team and "
            "a Staff Data Engineer. The second position looks like a great fit for you.",
        ),
        (
            "message",
            "Hi Dana, I'm building the data team at a seed-stage climate startup and looking "
            "for a founding data engineer. I know you're senior, but I'd love your thoughts "
            "on the role, or to talk if it's interesting to you.",
        ),
        (
            "invitation",
            "Hi Dana, I recruit for engineering roles at Quayline. Would you be open to a "
            "conversation about what's next in your career?",
        ),
        (
            "inmail",
            "Hi Dana, your name keeps coming up when I ask around for strong streaming "
            "engineers. We're building something special at Loomwise and I'd love to tell you"
            " about the team. Are you open to a chat?",
        ),
        (
            "message",
            "Dana, I'm sourcing for a Principal Engineer, Data Platform. Fully remote, US "
            "only, $230-260k. Shall I send over the details?",
        ),
        (
            "invitation",
            "Hello Dana, I work in talent acquisition at Northgate Logistics. We have some "
            "exciting openings in our data team and your profile stood out.",
        ),
        (
            "inmail",
            "Hi Dana, would you be interested in a contract-to-hire data engineer engagement "
            "with a major retailer? 6 months, then conversion. Rate is $95/hr.",
        ),
        (
            "message",
            "Hi Dana, hope you're well! We're quietly looking for someone to lead our data "
            "platform at Kestrel. I immediately thought of you. No pressure, but would you be"
            " up for an informal coffee?",
        ),
        (
            "invitation",
            "Hi Dana, I'm a recruiter but not a spammy one 🙂 I only work with a handful of "
            "data teams. Open to hearing about one opening?",
        ),
        (
            "inmail",
            "Dana, are you open to exploring a leadership opportunity? I'm working on an "
            "exclusive search for a Director of Data at a public logistics company.",
        ),
        (
            "message",
            "Hi Dana, we're putting together a data team for a new venture backed by Maersk. "
            "I'd love to discuss a potential role with you.",
        ),
        (
            "message",
            "Hi Dana, your background in streaming logistics data is exactly what we need at "
            "Routefox. We're hiring our Head of Data and I'd love to introduce you to our "
            "CEO.",
        ),
        (
            "inmail",
            "Hi Dana, I hope you are doing well. I have a client who is looking to bring on a"
            " Lead Data Engineer with Kafka expertise. The salary range is $180-210k with "
            "full benefits. Can we connect for a brief call?",
        ),
        (
            "inmail",
            "Hi Dana, I'm a partner at a boutique executive search firm. We help logistics "
            "companies find their next data leaders, and one of our clients would love to "
            "speak with you about a VP Data role. Do you have 15 minutes of your time this "
            "week?",
        ),
        (
            "message",
            "Hi Dana, our platform team is growing and we'd love to show you what we're "
            "building. Would you be open to an exploratory chat about joining us?",
        ),
        (
            "inmail",
            "Hello Dana, I work with top tech companies to help them hire world-class data "
            "engineers. I have an exciting opportunity that could be a game changer for your "
            "career. Interested?",
        ),
        (
            "invitation",
            "Hi Dana, we're a fast-growing SaaS platform and we're hiring a data engineering "
            "manager. Would love to connect and tell you more!",
        ),
    ],
    "genuine": [
        (
            "message",
            "Bonjour Paul, votre commande de 12 caisses de rouge est partie ce matin, suivi n° "
            "88412. La facture suit par courriel. Bonne journée, Anne (Domaine des Tilleuls)",
        ),
        # clients asking a freelancer's dates and rates (ninth session)
        (
            "message",
            "Hi Mathieu, wir (Fahrwerk, 30 Leute) brauchen für ca. 3 Monate jemanden, der unser "
            "Design-System in Figma aufräumt. Hättest du ab Mai Kapazität und was ist dein "
            "Tagessatz? LG Svenja",
        ),
        (
            "inmail",
            "Bonjour Inês, nous nous marions le 6 septembre à Comporta, 70 invités. Êtes-vous "
            "disponible à cette date ? Pourriez-vous nous envoyer vos formules et tarifs ?",
        ),
        # a buyer asks for a quote; the seller who offers one is pitching (ninth session)
        (
            "inmail",
            "Bonjour M. Ferreira, nous cherchons un fournisseur de caisses carton pour notre "
            "cave, environ 40 000 unités par an. Pourriez-vous nous faire un devis ? Je vous "
            "transmets nos plans.",
        ),
        (
            "message",
            "Hi Priya, we're looking for a second supplier of hand-loomed cushion covers for "
            "our shop. Could you send us your trade price list and minimums?",
        ),
        # thanks for a piece of work that helped, in each language (ninth session)
        (
            "message",
            "Hallo Frau Weber, Ihr Leitfaden zur Umsatzsteuer hat mir letzte Woche sehr "
            "geholfen. Darf ich fragen, ob er auch für Kleinunternehmer in Österreich gilt?",
        ),
        (
            "message",
            "Bonjour Claire, votre fil sur la facturation électronique m'a beaucoup aidé. "
            "Est-ce que la règle vaut aussi pour les associations ?",
        ),
        (
            "message",
            "Hola Marta, tu plantilla de presupuestos me ayudó muchísimo con mi primer "
            "cliente. ¿La actualizas para el IVA de 2027?",
        ),
        (
            "message",
            "Olá Rui, a sua planilha de custos ajudou-me imenso no primeiro trimestre. "
            "Ainda vale para quem fatura em recibos verdes?",
        ),
        # a customer booking the recipient's room, and one reporting a bug (eighth session)
        (
            "message",
            "Hi Dana, we'd like to book your back room for our team dinner on 4 March, about "
            "20 people. Is the date still free, and could you send us the set menu?",
        ),
        (
            "inmail",
            "Guten Tag Frau Berger, wir würden gern Ihren Festsaal am 12. Oktober für unsere "
            "Vereinsfeier mieten, etwa 60 Personen mit Abendessen. Ist der Termin noch frei, "
            "und was kostet das Buffet pro Person?",
        ),
        (
            "message",
            "Bonjour Dana, petit bug dans votre appli de réservation : le bouton Valider reste "
            "gris sur Android 14 après le choix du créneau. Je peux vous envoyer une capture "
            "si ça aide.",
        ),
        (
            "message",
            "Hi Dana, small thing: your firm's page on company formation still lists last "
            "year's filing fee, it went up in April. A client of ours got caught out by it. "
            "Thought you'd want to know; happy to send you the new fee table if useful.",
        ),
        (
            "message",
            "Oi Dana! A Bia do grupo de UX me passou teu contato: vocês reduziram a taxa de "
            "abandono do cadastro pela metade. A gente está no mesmo barco aqui. Posso te "
            "ligar 15 min? Te conto o que já testamos.",
        ),
        (
            "invitation",
            "Bonjour Maître Lee, votre article sur la réforme du droit des biens m'a "
            "beaucoup servi. Accepteriez-vous d'intervenir à notre colloque du 14 mars ? "
            "Frais de déplacement pris en charge.",
        ),
        (
            "inmail",
            "Dear Ms. Lee, we use your field guide to estuary birds (2021 edition) with our "
            "volunteers. I think there's an error on page 48: the photo captioned as a "
            "greenshank shows a redshank. I thought you'd want to know before a reprint, and "
            "I'm happy to send our survey photos if they help.",
        ),
        (
            "message",
            "Hola Dana, creo que hay un error en la plantilla de riego que compartiste: la "
            "fórmula de la columna C suma dos veces el mes de julio. La usamos en la "
            "cooperativa y por lo demás nos ahorra mucho trabajo.",
        ),
        (
            "invitation",
            "Hi Dana, I run the Bristol data meetup (about 50 people, next one on 4 June). "
            "Your post on testing dbt models would make a great 20-minute talk. Interested? "
            "No pressure at all.",
        ),
        # the recipient's name in a record, and a question about what they remember
        (
            "inmail",
            "Hi Dana, I'm the bridge engineer now responsible for the Millbrook footbridge. "
            "Your name is on the 2012 inspection report in the county archive, beside a note "
            "about a cracked bearing plate. Do you remember what was done about it? A short "
            "call would save us an intrusive survey.",
        ),
        (
            "message",
            "Hola Dana, soy maestra de música en Zaragoza. Usamos tus partituras para coro "
            "infantil, pero en la segunda el texto no coincide con la melodía en el compás 12. "
            "Te lo comento por si quieres corregirlo.",
        ),
        (
            "inmail",
            "Hi Dana, I run the evening bookkeeping course at Westfield College and we use "
            "your free VAT worksheets every term. Thought you'd want to know that the second "
            "one still shows last year's threshold. I've put a corrected copy in our shared "
            "folder if it saves you time.",
        ),
        (
            "inmail",
            "Guten Tag Frau Reyes, Sie haben die Studie zu Standzeiten in Hamburg verfasst. "
            "Wir planen eine ähnliche Messung in Bremen und würden gern Ihre Methode "
            "verstehen. Hätten Sie diese Woche Zeit für ein kurzes Telefonat?",
        ),
        (
            "inmail",
            "Hi Dana, I'm a reporter at Freight Weekly writing about how shippers use real-"
            "time tracking data. Your post on ETA accuracy came up in three of my interviews."
            " Could I quote you, or would you have 20 minutes for a call?",
        ),
        (
            "message",
            "Hi Dana, we're both working on schema evolution for Avro in Kafka, I maintain "
            "the Rust client. I noticed your PR on the registry handles nested unions "
            "differently from ours. Could we compare notes before the release?",
        ),
        (
            "invitation",
            "Hi Dana, Priya Nair suggested I reach out. I'm leading the data team at Harbor "
            "Health and we're evaluating tidewater. I have a question about backfills that "
            "your docs don't cover.",
        ),
        (
            "inmail",
            "Hello Dana, I teach the data engineering course at Portland State. Would you be "
            "willing to give a guest lecture on event streaming this spring? We offer an "
            "honorarium of $500.",
        ),
        (
            "message",
            "Hi Dana, great talk at DataConf yesterday! You asked whether anyone had "
            "benchmarked compaction on large topics. We did, and I'm happy to share the "
            "numbers if you'd like.",
        ),
        (
            "invitation",
            "Dana, I run the Seattle Data Engineering meetup and we'd love to have you speak "
            "in June about your work on event-time joins. Can I send you the details?",
        ),
        (
            "message",
            "Hi Dana, I'm on the data team at Kestrel and we consume your ETA feed. We "
            "noticed the timestamps switched to local time last Tuesday and broke our joins. "
            "Could someone on your team confirm whether that was intentional? I can share "
            "sample payloads.",
        ),
        (
            "inmail",
            "Hi Dana, I'm writing a book on streaming systems for O'Reilly and I'd like to "
            "include a short case study of your tidewater design. Would you be open to a "
            "30-minute interview? You'd review the text before publication.",
        ),
        (
            "invitation",
            "Hi Dana, Marta from the Portland dbt meetup said you're the person to talk to "
            "about late-arriving events. We hit the same issue at Rivermark and I'd love to "
            "swap notes.",
        ),
        (
            "inmail",
            "Hallo Dana, ich habe Ihren Artikel über Deduplizierung von GPS-Events gelesen "
            "und habe eine Frage zu Ihrem Ansatz mit dem 90-Sekunden-Fenster. Gerne schicke "
            "ich Ihnen unsere Messdaten.",
        ),
        (
            "invitation",
            "Bonjour Dana, j'ai lu votre article sur la déduplication des événements GPS. "
            "J'ai une question précise sur votre fenêtre de 90 secondes et je peux vous "
            "envoyer nos mesures.",
        ),
        (
            "message",
            "Hola Dana, leí tu artículo sobre deduplicación de eventos GPS y tengo una "
            "pregunta concreta sobre la ventana de 90 segundos. Puedo enviarte nuestros "
            "datos.",
        ),
        (
            "message",
            "Olá Dana, li seu artigo sobre deduplicação de eventos GPS e tenho uma pergunta "
            "concreta sobre a janela de 90 segundos. Posso te enviar nossos dados.",
        ),
        (
            "inmail",
            "Hallo Frau Reyes, ich organisiere die Data Engineering Konferenz in Berlin im "
            "Oktober. Wir würden Sie gerne als Sprecherin einladen. Reise- und Hotelkosten "
            "übernehmen wir. Hätten Sie Zeit für ein kurzes Gespräch?",
        ),
        (
            "message",
            "Bonjour Dana, nous utilisons votre bibliothèque tidewater en production et nous "
            "avons trouvé un bug dans la gestion des offsets. Je peux vous envoyer un "
            "correctif. Auriez-vous 15 minutes pour en discuter ?",
        ),
        (
            "message",
            "Hola Dana, usamos tu librería tidewater en producción y encontramos un error con"
            " las particiones. Te puedo enviar los logs y una propuesta de solución. ¿Tienes "
            "20 minutos esta semana?",
        ),
        (
            "message",
            "Olá Dana, organizo um meetup de dados em Lisboa e gostaríamos de convidar você "
            "para dar uma palestra. Cobrimos a viagem e o hotel. Podemos conversar?",
        ),
        (
            "message",
            "Olá Dana, usamos a sua biblioteca tidewater em produção e encontramos um bug nas"
            " partições. Posso te enviar os logs?",
        ),
        (
            "inmail",
            "Hi Dana, I lead data at a cold-chain startup and we'd like to fund a contributor"
            " day for tidewater, no strings attached. Could we talk about which issues would "
            "help the project most? I can send a list of what we've hit.",
        ),
        (
            "message",
            "Hallo Dana, Jonas Brandt hat Sie mir empfohlen. Ich habe eine Frage zu Ihrem "
            "Schema-Registry-Client und würde Ihnen gerne unsere Testergebnisse schicken.",
        ),
        (
            "message",
            "Bonjour Dana, Jonas Brandt m'a recommandé de vous écrire. J'ai une question "
            "précise sur votre client de registre de schémas et je peux vous envoyer nos "
            "résultats.",
        ),
        (
            "message",
            "Hola Dana, Jonas Brandt me recomendó escribirte. Hablamos brevemente en el "
            "meetup de Flink y tengo una pregunta concreta sobre tu cliente. Puedo enviarte "
            "nuestros resultados.",
        ),
        (
            "message",
            "Olá Dana, Jonas Brandt me indicou você. Conversamos rapidamente no meetup de "
            "Flink e tenho uma pergunta concreta sobre o seu cliente. Posso te enviar nossos "
            "resultados.",
        ),
        (
            "inmail",
            "Hi Dana, I'm the CTO of a small startup (we make cold-chain sensors). We adopted"
            " tidewater last month and found that the Postgres sink drops rows when a schema "
            "changes mid-batch. I wrote a failing test and a patch. Would you have 20 minutes"
            " to look at it with me before I open a PR?",
        ),
        (
            "message",
            "Hey Dana, following up on our chat at the Kafka Summit: here's the link to the "
            "paper on watermark skew I mentioned. Would love to hear what you think about "
            "section 4, since it contradicts your blog post a bit.",
        ),
        (
            "inmail",
            "Dear Dana, I'm a researcher at Oregon State studying freight ETA prediction. We "
            "have a labelled dataset of 2M shipments that might help your team validate its "
            "models, and we'd like to co-author a short paper. Would you be interested in a "
            "call?",
        ),
        (
            "message",
            "Dana, Priya from your team told me you're the owner of the carrier API. Our "
            "integration started returning 429s yesterday at 50 requests a minute, well below"
            " the documented limit. Could you or someone on your team take a look? I can "
            "share request IDs.",
        ),
        (
            "invitation",
            "Hi Dana, we're both speaking at DataDays Lyon in March. Would you like to "
            "compare slides beforehand so our talks don't overlap?",
        ),
        (
            "inmail",
            "Hi Dana, I'm an angel investor and I've followed tidewater since v1. If you ever"
            " decide to start a company around it, I'd be glad to put in the first check, and"
            " I can introduce you to two founders who did the same. No pitch, just an open "
            "door.",
        ),
        (
            "message",
            "Hi Dana, thanks for reviewing my PR last week! I made the changes you asked for."
            " Could you take another look when you get a chance?",
        ),
        (
            "message",
            "Hi Dana, our mutual friend Jonas suggested I write. We're building a lineage "
            "tool on top of your schema registry client and hit a similar problem with nested"
            " unions. Happy to pay for your time if you'd consult for an hour.",
        ),
        (
            "message",
            "Hi Dana, the Portland data meetup is looking for a host venue in May. Since your"
            " team hosted it in 2022, could we talk about whether Fernhill would do it again?"
            " We'd cover catering.",
        ),
        (
            "message",
            "Hi Dana, I read your piece on late-arriving events in logistics feeds. Could we "
            "chat for 20 minutes next week? We see the same thing with port data.",
        ),
        (
            "invitation",
            "Hi Dana, we're both working on freight ETA models and I think our approaches "
            "complement each other. Want to swap notes over a call?",
        ),
        (
            "message",
            "Hello Dana, I'm organizing a panel on data quality at the Portland Tech Fest. "
            "Your blog post on contract testing is exactly the perspective we need. Would you"
            " join us? We cover travel.",
        ),
        (
            "inmail",
            "Hi Dana, I run the data team at a regional carrier that ships with Fernhill. "
            "Your new tracking API is great, but the webhook retries duplicate events. I have"
            " examples and would be glad to walk your team through them.",
        ),
        (
            "message",
            "Hi Dana, our startup built an open-source validator for Avro schemas and I'd "
            "love your opinion on whether it fits tidewater's roadmap. Not selling anything, "
            "it's MIT licensed. Could we talk for 15 minutes?",
        ),
        (
            "invitation",
            "Hi Dana, I'm a PhD student working on stream joins. Your paper with Prof. Ito is"
            " the basis of my thesis. Could I ask you two short questions about the "
            "evaluation setup?",
        ),
        (
            "message",
            "Hi Dana, I'm the organiser of the Lisbon Data Week. A speaker dropped out and "
            "your name came up twice. Could you give a 25-minute talk on 14 June? We cover "
            "flights and hotel.",
        ),
        (
            "message",
            "Dear Dana, I am engineer from Poland and I use your tidewater library in my "
            "company. I found a bug in the retry logic when broker restarts, I prepared a "
            "fix. Can I send you the patch for review?",
        ),
        (
            "invitation",
            "Hi Dana, Marta Ruiz from our team met you at StreamConf and said you'd be the "
            "right person to talk to about carrier data standards. We're drafting one and "
            "would value your input; I can share the draft.",
        ),
        (
            "message",
            "Hi Dana, my book on event-driven logistics is out next month and chapter 6 "
            "builds on your ETA-feed design. I'd love to send you a copy and hear whether I "
            "got the details right.",
        ),
        (
            "inmail",
            "Hi Dana, we're long-time customers of Fernhill and I run the integrations team "
            "at Coastline Foods. We'd like to showcase your work on the tracking API at our "
            "partner day, with a free pass for you and a teammate. Could we talk?",
        ),
        (
            "invitation",
            "Hi Dana, saw your question in the Flink Slack about late watermarks. We solved "
            "exactly that at Rivermark; if I can help, happy to walk you through our fix.",
        ),
        (
            "inmail",
            "Hi Dana, I lead platform engineering at Harborline. We're migrating off our "
            "homegrown CDC and tidewater is on the shortlist. Before we commit, I'd like to "
            "understand how you handle schema drift at Fernhill's scale. In exchange, happy "
            "to share our load-test harness and results. 30 minutes sometime?",
        ),
        (
            "message",
            "Dana, congrats on the 2.0 release! One thing: the upgrade guide skips the offset"
            " migration step and two of our services lost their position. I wrote up what "
            "happened in an issue. Could you point me to whoever owns the docs?",
        ),
        (
            "invitation",
            "Hi Dana, I'm the editor of the Data Engineering Weekly newsletter. I'd like to "
            "include your post on idempotent sinks in Friday's issue, with credit. Is that "
            "okay with you?",
        ),
        (
            "message",
            "Hi Dana, I'm a product manager at Snowfield. Your feedback on our connector in "
            "the GitHub discussion was spot on, and we fixed it. Would you like early access "
            "to the next version? Happy to set up a call with our engineers.",
        ),
        (
            "inmail",
            "Hello Dana, our foundation gives small grants to maintainers of critical open-"
            "source data tools. tidewater came up in our review. Would you be open to a call "
            "about a $15k grant, no strings attached?",
        ),
        (
            "invitation",
            "Hi Dana, I'm the maintainer of kafka-lag-exporter. Users keep asking for "
            "tidewater support, and I'd like to add it properly. Could you review a short "
            "design note? I'd credit you in the release.",
        ),
        (
            "inmail",
            "Hi Dana, we're hosting the Portland Data Engineering meetup at our office next "
            "month and would love you as our featured speaker. We can also donate to a "
            "charity of your choice.",
        ),
        (
            "message",
            "Hi Dana, I'm a logistics analyst at the Port of Portland. We publish vessel ETA "
            "data and noticed Fernhill pulls it every minute. We're changing the API next "
            "month and want to make sure nothing breaks on your side. Could we set up a short"
            " call with your team?",
        ),
        (
            "invitation",
            "Hi Dana, Jonas Brandt introduced us by email last week but I think it got lost. "
            "I'm the one working on the open freight schema. Would love to continue the "
            "conversation.",
        ),
        (
            "inmail",
            "Hi Dana, I'm a staff engineer at a freight broker. We're evaluating whether to "
            "build event-time joins ourselves or adopt tidewater, and your 2023 talk is the "
            "only honest account of the trade-offs I've found. Would you have 20 minutes? "
            "I'll send our requirements beforehand so it's a good use of your time.",
        ),
        (
            "message",
            "Hi Dana, I wanted to say thank you. Your answer on Stack Overflow about Kafka "
            "consumer rebalancing saved our launch. If you're ever in Austin, dinner is on "
            "me, and I'd love to hear what you're working on.",
        ),
        (
            "invitation",
            "Hi Dana, fellow speaker at StreamConf this year (I'm on right after you). Want "
            "to sync on our talks so we don't repeat each other?",
        ),
        (
            "message",
            "Hello Dana, I'm a data journalist at the Oregonian working on a story about "
            "truck delays on I-5. Fernhill's public delay index is the best source we've "
            "found. Could you explain how it's calculated? I'd cite you and send the draft "
            "for fact-checking.",
        ),
        (
            "inmail",
            "Dear Dana, I chair the data track at LogiTech Summit in Rotterdam. We'd be "
            "honoured to have you give the opening keynote on real-time visibility. Travel, "
            "accommodation and an honorarium are covered. Can we discuss?",
        ),
        (
            "message",
            "Hi Dana, I think there's a bug in tidewater's Iceberg sink: commits are retried "
            "without idempotency keys, so we get duplicate snapshots under load. Repro "
            "attached in the issue #412. Happy to send a PR if you agree with the approach.",
        ),
        (
            "invitation",
            "Hi Dana, we're co-presenting at DataDays Lyon according to the schedule! I'm "
            "preparing the slides for the shared session and would love 15 minutes to divide "
            "up the topics.",
        ),
        (
            "message",
            "Hi Dana, I'm on the Kestrel data team. Our nightly sync with your shipment API "
            "started failing after your maintenance window on Sunday. Is there a status page "
            "or a contact for incidents? I can send request logs.",
        ),
        (
            "inmail",
            "Hi Dana, I run a reading group on streaming systems (about 30 engineers at "
            "Pacific Northwest companies). We're discussing your watermarks post next month. "
            "Would you join for the last 20 minutes to answer questions? Totally fine if not.",
        ),
        (
            "message",
            "Dana, our carrier integration is double-counting pallets since your v3 label "
            "format went live. We traced it to the new SSCC field. Who should we work with on"
            " your side? We can test a fix on our staging today.",
        ),
        (
            "invitation",
            "Hi Dana, I'm the TPM for the open freight data standard. Your team's feedback "
            "shaped the draft. We'd like a Fernhill reviewer on the working group, it's two "
            "calls a month. Interested?",
        ),
        (
            "message",
            "Hi Dana, we met briefly at StreamConf and you asked me to send the benchmark "
            "numbers for our sink. Here they are: 1.2M events/s on 3 brokers. Happy to walk "
            "you through the setup.",
        ),
        (
            "message",
            "Hi Dana, I'm a grad student at OHSU. I'm replicating the results from your "
            "SIGMOD paper and my latency numbers are 3x higher. Is there a config detail "
            "missing from the appendix? I can share my setup and raw data.",
        ),
        (
            "inmail",
            "Hi Dana, we're a 5-person team at a food bank in Portland. A volunteer "
            "recommended your team's open dataset on delivery routes. Would Fernhill allow us"
            " to use it for our routing? We'd credit you in our annual report.",
        ),
        (
            "invitation",
            "Hi Dana, I'm the PM on the Kafka Connect team at Confluent. We'd like to "
            "understand how Fernhill uses connectors so we can prioritise fixes. 30 minutes "
            "with our engineers? We'll share the roadmap.",
        ),
        (
            "message",
            "Hi Dana, I'm rewriting the carrier onboarding guide for the Open Logistics "
            "Foundation and I'd like to use your diagram of the event flow (with "
            "attribution). Would that be alright? Happy to send you the draft first.",
        ),
        (
            "message",
            "Hallo Frau Keller, wir arbeiten an einem ähnlichen Projekt zur Erkennung von "
            "Lecks in Wasserleitungen und haben Ihren Vortrag auf der Embedded World gesehen. "
            "Hätten Sie Zeit für einen kurzen Austausch?",
        ),
        (
            "message",
            "Bonjour Dana, nous avons le même problème de latence avec Kafka Connect que celui "
            "décrit dans votre article. Comment avez-vous réglé le partitionnement ? Je peux "
            "vous envoyer nos mesures.",
        ),
        (
            "invitation",
            "Hola Dana, leí tu artículo sobre pruebas de contrato y tenemos un problema "
            "parecido con los esquemas. ¿Podríamos hablar diez minutos esta semana?",
        ),
        # seventh session: a question about what the recipient's work covers, a research
        # interview, and words that once filed such asks on their own ("cancer", "forward the")
        (
            "message",
            "Hi Dana, your explainer on the battery passport says it starts in 2027. Does it "
            "also apply to spare batteries we ship inside repair kits, or only to new devices? "
            "Happy to share the letter our supplier sent us.",
        ),
        (
            "inmail",
            "Dear Dr. Dana Whitlock, I'm a PhD candidate in Utrecht studying flood insurance "
            "uptake, and your 2021 paper on parametric cover is central to my second chapter. "
            "Would you have 30 minutes for an interview for my thesis, about how you set the "
            "payout triggers? I'll send you the transcript and the finished chapter.",
        ),
        (
            "message",
            "Hi Dana, I run the registry for bowel cancer screening in Leeds. Your poster on "
            "follow-up intervals uses the 2019 cohort; we have 2022 data with the same "
            "definitions. Would a joint look at it interest you?",
        ),
        (
            "message",
            "Hi Dana, your post on parking sensors shows a 30% drop in 2023. Our city uses the "
            "same vendor, and their firmware update that spring changed how bikes are counted. "
            "Happy to forward the vendor's note if it helps.",
        ),
        (
            "message",
            "Hallo Dana, ich schreibe meine Masterarbeit über Lieferketten im Holzbau, und Ihre "
            "Studie von 2022 ist dafür zentral. Wären Sie zu einem Interview von 30 Minuten "
            "bereit? Die Ergebnisse schicke ich Ihnen gern zu.",
        ),
        # a client who offers to pay, a customer with a problem, spare equipment given away,
        # a reporter's quote, a friend's candidate for the recipient's own opening (set AA)
        (
            "message",
            "Hi Dana, I run a two-person bakery in Leeds and loved the label designs you posted "
            "for Hollin Farm. We'd like to pay you for a set of four labels for our spring "
            "range. What is your rate for something like that?",
        ),
        (
            "message",
            "Hi Dana, we bought two licences of your invoicing plugin last spring. Since the 4.2 "
            "update it stopped working with our VAT settings (order no. 55812). Is there a fix "
            "coming, or should I roll back?",
        ),
        (
            "message",
            "Hallo Dana, wir lösen unser Labor auf und haben zwei Zentrifugen übrig. Geschenkt, "
            "ihr müsstet sie nur bis Ende Mai in Kassel abholen. Braucht eure Schule noch "
            "Geräte?",
        ),
        (
            "message",
            "Hi Dana, I'm a reporter at the Northern Echo writing about the shortage of school "
            "nurses. Could I get a short quote for the story from you? My deadline is tomorrow "
            "at 5pm, and I can read it back to you before it runs.",
        ),
        (
            "message",
            "Hi Dana, it's Sam from the old Fernhill data team. I saw you're hiring a platform "
            "engineer. My former teammate Priya is leaving Monzo and is excellent with Kafka. Do "
            "you want her CV? She knows I'm asking.",
        ),
    ],
    "stale_reconnect": [
        # time flying since the old days (ninth session)
        (
            "invitation",
            "Marcus! Weren't we both in the supply chain cohort at Lakeshore back in '09? "
            "Crazy how time flies. Hope all's good with you",
        ),
        (
            "invitation",
            "Coucou Camille! Ça fait une éternité depuis le cégep. Contente de voir que ça va "
            "bien pour toi!",
        ),
        (
            "invitation",
            "Hello Dr Lee, I attended your lectures at Warwick years ago and still use your "
            "notes on soil mechanics. Would be honoured to be part of your network.",
        ),
        (
            "invitation",
            "Guten Tag Frau Lee, wir haben uns vor einigen Jahren auf der Hannover Messe am "
            "Stand von Festo unterhalten. Ich würde mich freuen, wenn wir vernetzt bleiben.",
        ),
        (
            "message",
            "Hi Dana, Omar from the rowing club here. Can't believe it's been twelve years "
            "since those cold mornings on the river. Just saw your name and wanted to say hi.",
        ),
        (
            "invitation",
            "Great talking over lunch at the print fair last spring! Connecting so we don't "
            "lose touch.",
        ),
        (
            "invitation",
            "Salut Dana, je ne sais pas si tu te souviens de moi, on a travaillé ensemble chez "
            "Airbus à Blagnac il y a longtemps. Restons en contact !",
        ),
        (
            "message",
            "Hola Dana, hace siglos que no coincidimos, desde la academia de idiomas en "
            "Valencia. Me encantaría retomar el contacto.",
        ),
        (
            "inmail",
            "Dear Dr. Dana Lee, you might not remember me: I sat in your seminar on soil "
            "mechanics at Delft in 2012 and have followed your career with interest ever since. "
            "It would be lovely to stay in touch.",
        ),
        (
            "invitation",
            "Hi Dana, we were classmates at Oregon State back in the day. Hope you're doing "
            "great! Would love to reconnect.",
        ),
        (
            "invitation",
            "Dana, we worked together at Brightline years ago. Thought it would be nice to "
            "connect.",
        ),
        (
            "message",
            "Hi Dana, it's been so long since the Portland hackathon in 2014! I hope life is "
            "treating you well. Let's keep in touch.",
        ),
        (
            "invitation",
            "Hey Dana, I remember you from the data science club at university. Great to see "
            "how far you've come! Let's connect.",
        ),
        (
            "invitation",
            "Hi Dana, I used to be on the analytics team at Fernhill before you joined. Would"
            " be great to be connected.",
        ),
        (
            "invitation",
            "Hi Dana! We were in the same cohort at the Insight data program in 2017. Hope "
            "you're well, let's stay in touch!",
        ),
        (
            "message",
            "Dana, long time no see! I think the last time we talked was at Brightline's "
            "farewell party. Would be great to catch up sometime.",
        ),
        ("invitation", "Hello Dana, we studied together at Oregon State. Happy to reconnect here."),
        (
            "invitation",
            "Hallo Dana, wir haben uns vor einigen Jahren auf der Konferenz in Hamburg "
            "kennengelernt. Lass uns in Kontakt bleiben!",
        ),
        (
            "invitation",
            "Bonjour Dana, nous nous sommes rencontrés il y a 5 ans à une conférence à "
            "Lisbonne. Ce serait bien de rester en contact !",
        ),
        (
            "invitation",
            "Hola Dana, nos conocimos hace 6 años en una conferencia en Lisboa. ¡Sería genial"
            " seguir en contacto!",
        ),
        (
            "invitation",
            "Olá Dana, nos conhecemos há 5 anos numa conferência em Lisboa. Seria ótimo "
            "manter contato!",
        ),
        (
            "invitation",
            "Hallo Dana, wir haben vor vielen Jahren zusammen bei Brightline gearbeitet. "
            "Schön, dich hier zu finden!",
        ),
        (
            "invitation",
            "Bonjour Dana, nous étions collègues chez Brightline il y a quelques années. Ravi"
            " de te retrouver ici !",
        ),
        (
            "invitation",
            "Hola Dana, fuimos compañeros en la universidad hace años. ¡Qué gusto encontrarte"
            " por aquí!",
        ),
        (
            "invitation",
            "Oi Dana, estudamos juntas na faculdade há muitos anos. Que bom te encontrar aqui!",
        ),
        (
            "invitation",
            "Hi Dana, you probably don't remember me, but we were in the same Spark study "
            "group years ago. Would be nice to reconnect!",
        ),
        (
            "message",
            "Hi Dana! I just realised we both graduated from Portland State in 2009. Go "
            "Vikings! Would be great to stay in touch.",
        ),
        (
            "invitation",
            "Dana, I think we overlapped at Brightline around 2015, I was in finance. Nice to"
            " see you're doing well!",
        ),
        (
            "invitation",
            "Hello Dana, I was one of the interns on your team in 2018. I hope you're doing "
            "great. I'd love to stay connected.",
        ),
        (
            "message",
            "Hey Dana, it's Tom from the Tuesday climbing group a few years back! Saw your "
            "name and wanted to say hi. Let's connect.",
        ),
        (
            "invitation",
            "Hi Dana, we were neighbours on Alder Street years ago. Small world that we both "
            "ended up in data!",
        ),
        (
            "invitation",
            "Hi Dana, you were my TA for databases at Oregon State! Hope you've been well.",
        ),
        (
            "invitation",
            "Dana! We both interned at Kestrel in the summer of 2012. Glad to find you here.",
        ),
        (
            "message",
            "Hi Dana, I was on your team at Brightline for a few months back in 2016. Would "
            "be nice to reconnect.",
        ),
        (
            "invitation",
            "Hey, old friend! We shared an office at the Fernhill annex ages ago. Let's keep "
            "in touch.",
        ),
        (
            "invitation",
            "Hi Dana, I haven't seen you since the Brightline reunion! You may remember me "
            "from the finance team. Let's connect.",
        ),
        (
            "invitation",
            "Hi Dana, I think we were at the same table at the Women in Data dinner in 2018. "
            "Would be lovely to connect!",
        ),
        (
            "message",
            "Dana, is that you? We sat in the back row of Prof. Lee's stats class! Crazy to "
            "see you on here. Let's keep in touch.",
        ),
        (
            "invitation",
            "Hello Dana, we had coffee once at the Seattle Spark meetup many years ago. "
            "Thought it would be nice to connect.",
        ),
        (
            "invitation",
            "Hi Dana, we've met a couple of times through Marta. Connecting here to stay in "
            "the loop.",
        ),
        (
            "message",
            "Hey Dana! Saw you in my 'people you may know'. We were on the same floor at "
            "Kestrel way back. Hope life is good!",
        ),
        (
            "invitation",
            "Hi Dana, I was your lab partner in chem 101 (2005!). Would love to reconnect.",
        ),
        (
            "invitation",
            "Dear Dana, I am happy to see you again after so long time. We were working "
            "together in the Brightline project in 2013. Let us be in contact.",
        ),
        ("invitation", "HELLO DANA, WE STUDIED TOGETHER AT PSU. LONG TIME NO SEE! LETS CONNECT"),
        (
            "invitation",
            "Hi Dana, we met at a friend's wedding in Bend a few years ago (I was the one who"
            " spilled the punch!). Great to find you here.",
        ),
        (
            "message",
            "Hi Dana, I came across your profile and realised we both worked at Kestrel "
            "around 2014. How are things?",
        ),
        (
            "invitation",
            "Hi Dana, I saw we both spent time at Kestrel years back. Thought it would be "
            "nice to connect!",
        ),
        (
            "invitation",
            "Hi Dana, you interviewed me at Brightline back in 2016, I didn't get the job but"
            " always remembered how kind you were! Would be great to connect.",
        ),
        (
            "message",
            "Hi Dana, it's Marco, we were in the same onboarding group at Kestrel. It's been "
            "years! Hope you're doing well, let's stay in touch.",
        ),
        (
            "invitation",
            "Hi Dana, our paths crossed at Brightline many moons ago. Hope all is well with you!",
        ),
        (
            "invitation",
            "Dana, it's been a minute! We took the same Coursera ML class back in 2013 and "
            "were in the same study group. Let's reconnect.",
        ),
        (
            "message",
            "Hey Dana, I was going through old photos from the 2015 Brightline offsite and "
            "there you were! Hope you're thriving. Let's stay connected.",
        ),
        (
            "invitation",
            "Hi Dana, I believe we met at a PyData event some years ago. I remember your "
            "question about pandas memory. Happy to reconnect!",
        ),
        (
            "invitation",
            "Hello Dana, we were colleagues at Kestrel in another life. Great to see where "
            "you've landed.",
        ),
        (
            "invitation",
            "Hi Dana, I think we were both at the Portland data happy hours a while back. "
            "Thought I'd say hello here.",
        ),
        (
            "message",
            "Dana! Do you remember the Brightline ping-pong tournament? I still have the "
            "trophy 😄 Hope you're doing great, let's catch up sometime.",
        ),
        (
            "invitation",
            "Hi Dana, we used to carpool to the Brightline office! So nice to see your name "
            "pop up. Let's connect.",
        ),
        (
            "invitation",
            "Hello Dana, I was a speaker at the same Data Council track as you in 2019. Would"
            " be great to be connected.",
        ),
        (
            "invitation",
            "Hey Dana, ex-Brightliner here! We overlapped for a year on the ops floor. Would "
            "love to stay in touch.",
        ),
        (
            "invitation",
            "Hi Dana, my sister Maria was in your class at Lincoln High. Small world! Let's "
            "connect.",
        ),
        (
            "invitation",
            "Dana, we were in the same Toastmasters club around 2012. Hope you're doing well!",
        ),
        (
            "message",
            "Hi Dana, remember me? Sam from the Fernhill hackathon team way back when. Just "
            "wanted to say hi and reconnect.",
        ),
        (
            "invitation",
            "Hi Dana, you gave a guest lecture in my databases course at PSU years ago. I "
            "still remember it! Would love to connect.",
        ),
        (
            "message",
            "Dana!! Long time no talk. I was just telling someone about our Brightline days. "
            "Let's grab coffee some time and catch up!",
        ),
        (
            "invitation",
            "Hello Dana, I'm an alum of the same Insight Fellows program (2016 cohort). "
            "Always nice to connect with fellow alums!",
        ),
        (
            "invitation",
            "Dana, hi! I think you were a year ahead of me at Oregon State, we had the same "
            "advisor. Nice to run into you here.",
        ),
        (
            "message",
            "Hi Dana, I'm not sure you'll remember me, we were on a panel together at a women"
            " in tech event ages ago. Just wanted to say hi!",
        ),
        (
            "invitation",
            "Hi Dana, we chatted at the Brightline holiday party a few years back about rock "
            "climbing. Hope you're still climbing! Let's connect.",
        ),
        (
            "invitation",
            "Dana, I was your teammate on the 2010 Oregon State hackathon team! Would love to"
            " catch up.",
        ),
    ],
    "bare_invite": [
        (
            "invitation",
            "Guten Tag Frau Lee,",
        ),
        (
            "invitation",
            "Estimado Sr. Lee:",
        ),
        ("invitation", "I'd like to add you to my professional network on LinkedIn."),
        ("invitation", "Hello Dana, I hope you're doing well. I'd love to have you in my network."),
        ("invitation", "👋"),
        ("invitation", ""),
        (
            "invitation",
            "Hi Dana, I'm expanding my professional circle and would be glad to connect.",
        ),
        ("invitation", "Let's connect!"),
        ("invitation", "Hi Dana, I'd like to be part of your professional network."),
        ("invitation", "Good morning Dana! Please add me to your network 🙏"),
        ("invitation", "Dana, I'd be happy to connect with you."),
        (
            "invitation",
            "Ich möchte Sie gerne zu meinem beruflichen Netzwerk auf LinkedIn hinzufügen.",
        ),
        ("invitation", "Je souhaiterais vous ajouter à mon réseau professionnel sur LinkedIn."),
        ("invitation", "Me gustaría añadirte a mi red profesional de LinkedIn."),
        ("invitation", "Gostaria de adicionar você à minha rede profissional no LinkedIn."),
        ("invitation", "Hallo Dana, ich würde mich freuen, mich mit Ihnen zu vernetzen."),
        ("invitation", "Olá Dana, gostaria de fazer parte da sua rede."),
        ("invitation", "Hola Dana, me gustaría conectar contigo."),
        ("invitation", "Bonjour Dana, je souhaite rejoindre votre réseau."),
        (
            "invitation",
            "Hallo Dana, ich würde mich gerne mit Ihnen vernetzen. Bitte nehmen Sie meine "
            "Anfrage an.",
        ),
        ("invitation", "Hallo Dana, bitte Anfrage annehmen, danke!"),
        (
            "invitation",
            "Bonjour Dana, je serais ravi de me connecter avec vous. Merci d'accepter mon "
            "invitation.",
        ),
        ("invitation", "Hola Dana, me encantaría conectar contigo. Por favor acepta mi solicitud."),
        ("invitation", "Olá Dana, gostaria de me conectar com você. Por favor aceite meu convite."),
        ("invitation", "Hello Dana, how are you doing today?"),
        ("invitation", "Hi Dana, can we connect? I work in logistics too."),
        ("invitation", "Let's network! Always happy to meet data people."),
        ("invitation", "Hi Dana, I'm a software engineer at Pallet. I'd like to connect with you."),
        (
            "invitation",
            "Dana, I'm a data scientist in Portland. Would be glad to have you in my network.",
        ),
        (
            "invitation",
            "Hello Dana, I'm expanding my professional network and would be honored to "
            "connect with you.",
        ),
    ],
    "unclear": [
        ("message", "👋"),
        ("message", "Hi Dana, do you have a minute? I have a question."),
        (
            "inmail",
            "Ciao Dana, ho visto il tuo profilo e vorrei parlarti di un progetto interessante"
            " nel settore della logistica.",
        ),
        (
            "message",
            "Hallo Dana, ik zag je profiel en zou graag met je praten over een idee dat ik heb.",
        ),
        ("message", "Thanks for connecting, Dana! Have a great week."),
        ("message", "Hi Dana, quick question for you, when you have a moment."),
        (
            "inmail",
            "Hello Dana, I represent a group of professionals and we would like to discuss a "
            "potential collaboration. Please advise a suitable time.",
        ),
        ("message", "Saw that you moved to a new team. Congratulations!"),
        ("message", "Dana, can you call me back at the number I left? Thanks."),
        (
            "message",
            "Hi Dana, I'd love to chat sometime about data engineering. Let me know if you're"
            " free.",
        ),
        (
            "inmail",
            "Hello Dana, I have an interesting proposal for you. Let me know if you're "
            "interested and I'll share details.",
        ),
        ("message", "Hi Dana, hope you're having a good week! Just checking in."),
        ("message", "Dana, did you get my email from last week?"),
        ("message", "Hello Dana, how are you doing today?"),
        (
            "inmail",
            "Hi Dana, I represent a company that would like to work with you. Please let me "
            "know a convenient time to talk.",
        ),
        ("message", "Hi Dana, I wanted to ask you something but I'm not sure"),
        (
            "inmail",
            "Hello Dana, are you available for a short discussion next week? Regards, Peter",
        ),
        ("message", "Hi Dana, thanks for the connection! What are you working on these days?"),
        (
            "message",
            "Hi Dana, I left you a voicemail earlier. Please give me a call when you have a "
            "moment.",
        ),
        ("message", "Dana, I have a question about Fernhill. Who should I talk to?"),
    ],
}


CASES = [(label, kind, text) for label, items in ASKS.items() for kind, text in items]
#: Hand-written asks the classifier gets wrong, and why: each is a strict xfail, so the day
#: it gets them right the marker must go.
KNOWN_MISSES = {
    "Hi Dana, it's Sam from the old Fernhill data team. I saw you're hiring a platform "
    "engineer. My former teammate Priya is leaving Monzo and is excellent with Kafka. Do "
    "you want her CV? She knows I'm asking.": (
        "left unclear, not drafted: a friend's candidate for the recipient's own opening reads "
        "as a recruiter ('hiring a platform engineer', 1), which outranks genuine (1.6) without "
        "the 0.6 margin a draft needs"
    ),
    "Dana, I applied to a data engineering role at Fernhill. Could you put in a good word for "
    "me with the hiring manager?": (
        "filed as recruiter, not free_work (the same action): the word model, trained on every "
        "training set since the seventh session, reads 'role' and 'hiring manager' as a "
        "recruiter's (p 0.65), and recruiter then outscores free_work by more than 1"
    ),
    "Hi Dana, I'm an angel investor and I've followed tidewater since v1. If you ever decide to "
    "start a company around it, I'd be glad to put in the first check, and I can introduce you "
    "to two founders who did the same. No pitch, just an open door.": (
        "left unclear, not drafted: the patterns make it genuine (an offer, no strings), but "
        "the words read an angel investor's words as investor_ask (p 0.60), and a draft is not "
        "filed on the words' say"
    ),
    "Hi Dana, my book on event-driven logistics is out next month and chapter 6 builds on your "
    "ETA-feed design. I'd love to send you a copy and hear whether I got the details right.": (
        "left unclear, not drafted: the genuine patterns fit (1.6), but the words give scam and "
        "mlm p 0.32 together, and no ask is drafted from 0.3"
    ),
    "Hi Dana, Omar from the rowing club here. Can't believe it's been twelve years since those "
    "cold mornings on the river. Just saw your name and wanted to say hi.": (
        "drafted as genuine, not stale_reconnect (the same action): the words read it as genuine "
        "(p 0.69), and genuine wins the tie with stale_reconnect"
    ),
    "Hi Dana, I run the evening bookkeeping course at Westfield College and we use your free "
    "VAT worksheets every term. Thought you'd want to know that the second one still shows "
    "last year's threshold. I've put a corrected copy in our shared folder if it saves you "
    "time.": (
        "left unclear: pitch.cost_savings reads 'if it saves you time' as a pitch (1), which "
        "keeps the words (genuine p 0.89) from drafting it"
    ),
    "Hi Dana, you do employment law, don't you? Could you glance over my contract before I "
    "sign it on Monday? Just the non-compete part.": (
        "left unclear, not filed: since the ninth session's word model (trained on every set "
        "patterns were written from) the words read it as genuine (p 0.67), and a "
        "genuine-reading ask is filed only when the patterns alone give the filing label 2 "
        "(here 1)"
    ),
}
PARAMS = [
    pytest.param(*case, marks=pytest.mark.xfail(strict=True, reason=KNOWN_MISSES[case[2]]))
    if case[2] in KNOWN_MISSES
    else case
    for case in CASES
]


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.load()


@pytest.mark.parametrize(("label", "kind", "text"), PARAMS)
def test_hand_written_ask_gets_its_label(clf: Classifier, label: str, kind: str, text: str) -> None:
    result = clf.classify(text, kind)
    assert result.label == label, explain(result)


def test_does_is_lemmatized_as_do(clf: Classifier) -> None:
    """spaCy's lookup table says "doe"; patterns on LEMMA "do" and the word model need "do"."""
    assert "do" in clf.word_features("Does it also apply to spare parts?")
    assert "doe" not in clf.word_features("Does it also apply to spare parts?")
    fired = [e.pattern for e in clf.classify("Does it also apply to spare parts?").evidence]
    assert "genuine.clarify_question" in fired


def test_no_family_lists_the_same_member_twice() -> None:
    """A second copy of a member under the same id never adds anything (evidence counts each
    id once), so it is only noise in the file."""
    seen: dict[tuple[str, str, str], str] = {}
    for path in builtin_pattern_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            item = json.loads(line) if line.startswith("{") else {}
            if "pattern" not in item:
                continue
            key = (item["id"], json.dumps(item["pattern"], sort_keys=True), item.get("lang", "en"))
            assert key not in seen, f"{path.name}:{number} repeats {seen[key]}"
            seen[key] = f"{path.name}:{number}"


def test_a_family_named_for_a_language_counts_only_in_it() -> None:
    """Every member of a ``<label>.<family>_<lang>`` family carries that ``lang``: one without
    it would count in asks of every language (the tenth session added 115 such by mistake)."""
    for path in builtin_pattern_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            item = json.loads(line) if line.startswith("{") else {}
            suffix = item.get("id", "").rpartition("_")[2]
            if suffix in LANGUAGES[1:]:
                assert item.get("lang") == suffix, f"{path.name}:{number} {item['id']}"


def test_every_pattern_id_fires_on_some_test_ask(clf: Classifier) -> None:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    tune, _ = split_corpus(rows)
    items = [(t, k) for _, k, t in CASES] + [(r["text"], r["kind"]) for r in tune]
    fired = {e.pattern for c in clf.classify_many(items) for e in c.evidence}
    assert [p for p in clf.pattern_ids if p not in fired] == []


def test_every_label_has_patterns_in_every_language(clf: Classifier) -> None:
    have = {(p.label, p.lang) for p in clf.patterns}
    missing = [(lab, lang) for lab in LABELS[:-1] for lang in LANGUAGES if (lab, lang) not in have]
    assert missing == []


def test_every_language_has_a_hand_written_ask_per_label(clf: Classifier) -> None:
    seen = {(c.label, c.language) for c in clf.classify_many((t, k) for _, k, t in CASES)}
    for lang in LANGUAGES:
        assert {lab for lab, lg in seen if lg == lang} >= set(LABELS[:-1]), lang


def test_every_word_a_builtin_pattern_names_is_one_token(clf: Classifier) -> None:
    """A member naming "bien-être", "auriez-vous", "in-house" or German "im" as one token
    never matches: the tokenizer splits them ("bien", "-", "être"; "i", "m"). Write the pieces."""
    assert clf.never_matching() == []


def test_responder_check_warns_of_a_user_pattern_that_can_never_match(tmp_path: Path) -> None:
    user = write(tmp_path / "mine.jsonl", [
        '{"id": "genuine.my_trade", "label": "genuine", "pattern": [{"LOWER": "joinery"}]}',
        '{"id": "mlm.my_words", "label": "mlm", "pattern": [{"LOWER": {"IN": ["bien-être", '
        '"detox"]}}, {"LOWER": "shakes"}]}',
    ])
    assert Classifier.load(user).never_matching() == [
        f"{user}:2: 'mlm.my_words' names 'bien-être' as one token, but the tokenizer splits "
        "it into 'bien' '-' 'être': write one token per piece, or it never matches"
    ]
    env = {k: None for k in os.environ if k.startswith("RESPONDER_")}
    env |= {"RESPONDER_MAILDIR": str(tmp_path / "Maildir"),
            "RESPONDER_STATE_DIR": str(tmp_path / "state"),
            "RESPONDER_PATTERNS_FILE": str(user)}
    result = CliRunner().invoke(cli, ["check"], env=env)
    assert f"WARNING: {user}:2: 'mlm.my_words' names 'bien-être'" in result.output


def test_pattern_ids_are_readable_and_stable(clf: Classifier) -> None:
    assert len(set(clf.pattern_ids)) == len(clf.pattern_ids)
    for pid in clf.pattern_ids:
        label, _, family = pid.partition(".")
        assert label in LABELS, pid
        assert family, pid
    assert "pitch.fifteen_minutes" in clf.pattern_ids


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        (
            "I'm not selling anything, I just loved your talk on backfills and have a question "
            "about your retry design.",
            "pitch",
        ),
        (
            "Hi Dana, I'm not a recruiter. I read your post on CDC and have a question about "
            "your Debezium setup. I can send you our config.",
            "recruiter",
        ),
        (
            "We're not looking for investors, we just want to compare notes on your Kafka "
            "connector. I can share our benchmark numbers.",
            "investor_ask",
        ),
        (
            "No pitch deck, we're not raising. Priya suggested I reach out about your "
            "partitioning talk.",
            "investor_ask",
        ),
    ],
)
def test_denials_do_not_trigger_the_label_they_deny(
    clf: Classifier, text: str, denied: str
) -> None:
    result = clf.classify(text, "message")
    assert result.label != denied, explain(result)
    negated = [e for e in result.evidence if e.negated]
    assert negated
    assert all(e.label == denied for e in negated)
    assert denied not in result.scores


def test_negated_evidence_is_listed_but_not_counted(clf: Classifier) -> None:
    result = clf.classify("I'm not a recruiter, just an old colleague: we met at Brightline.")
    assert result.label == "stale_reconnect"
    assert [e.pattern for e in result.evidence if e.negated] == ["recruiter.recruiter"]


def test_portuguese_no_is_in_the_not_a_denial(clf: Classifier) -> None:
    """Portuguese "no" is "em" + "o" ("no seu post": in your post); in Spanish it denies.
    Nor are Portuguese "o" and "mais" the "or" and "but" of Spanish and French."""
    pt = clf.classify("Oi Dana, li no seu post sobre filas com Kafka que o consumidor repete "
                      "mensagens. Isso vale também com transações? Obrigado!", "message")
    assert pt.language == "pt"
    read = [e for e in pt.evidence if e.pattern == "genuine.read_your_work_pt"]
    assert read
    assert not read[0].negated
    # "o" is "the", not Spanish "or": the comma before it ends the denied clause
    pt_o = clf.classify("Olá Ana, sem pressa, o seu artigo sobre filas em Kafka me ajudou "
                        "muito. Posso fazer uma pergunta?", "message")
    assert [e.negated for e in pt_o.evidence if e.pattern == "genuine.read_your_work_pt"] == [
        False]
    # "mais" is "more", not French "but": "não procuro mais investidores" still denies
    pt_mais = clf.classify("Olá Ana, não procuro mais investidores para a minha startup, só "
                           "queria trocar ideias sobre o seu projeto.", "message")
    assert pt_mais.language == "pt"
    assert pt_mais.label != "investor_ask"
    assert all(e.negated for e in pt_mais.evidence if e.label == "investor_ask")
    es = clf.classify("Hola Dana, no busco inversores ni vendo nada: solo una pregunta sobre "
                      "tu charla de Kafka.", "message")
    assert es.language == "es"
    denied = [e for e in es.evidence if e.label == "investor_ask"]
    assert denied
    assert all(e.negated for e in denied)


@pytest.mark.parametrize(
    "text",
    [
        "", "Hi", "👋", "Hi Dana 🙂", "Hello Dana!", "  \n ",
        # greetings and sign-offs carry no ask either
        "Greetings from Leeds", "Servus! lg", "Saludos cordiales desde Quito.", "Au plaisir ! 🙂",
        # and nor does a name signed after a sign-off, a line break or a full stop
        "Bonjour Madame, Cordialement, Paul Girard", "Hi Karim, hope you're well. Regards, "
        "Stephen Clarke", "Guten Tag, viele Grüße aus Bremen. Jens", "Hi Dana,\nJens Müller.",
    ],
)
def test_contentless_invitation_is_bare_but_contentless_message_unclear(
    clf: Classifier, text: str
) -> None:
    assert clf.classify(text, "invitation").label == "bare_invite"
    assert clf.classify(text, "message").label == "unclear"
    assert clf.classify(text, "inmail").label == "unclear"


@pytest.mark.parametrize(
    "text",
    [
        # capitalised words that are not signed after a break are content, not a signature
        "Hi Dana, Berlin Python Meetup",
        "Hi Dana. Coffee Tomorrow?",  # a question is never a signature
        "Hi Dana. Great Talk",  # "great" is a greeting word, so no name
        "Hi Dana, coffee? Tom",
    ],
)
def test_a_signed_name_does_not_hide_an_ask(clf: Classifier, text: str) -> None:
    assert clf.classify(text, "invitation").label != "bare_invite"


@pytest.mark.parametrize(
    "text",
    [
        "Ciao Dana, ho visto il tuo profilo e vorrei parlarti di un'opportunità di lavoro "
        "come data engineer a Milano.",
        "Hallo Dana, ik zag je profiel en ik wil graag met je praten over een vacature als "
        "data engineer.",
        "Witaj Dana, widziałem twój profil i chciałbym porozmawiać o inwestycji w mój startup.",
        # Italian that shares "una", "con", "te" and "mi" with Spanish: its own words decide
        "Ciao Dana, ti scrivo perché ho letto il tuo articolo sul riciclo e mi piacerebbe "
        "fare una chiacchierata con te.",
        "Hej Dana, jag heter Anna och jag vill prata med dig om ett samarbete i Stockholm.",
    ],
)
def test_language_without_patterns_is_unclear_never_guessed(clf: Classifier, text: str) -> None:
    result = clf.classify(text, "inmail")
    assert result.label == "unclear"
    assert result.language is None
    assert result.evidence == ()


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Hi Dana, we met at the Portland meetup last year.", "en"),
        ("Hallo Dana, wir haben uns auf der Konferenz kennengelernt.", "de"),
        ("Bonjour Dana, nous nous sommes rencontrés à Lyon.", "fr"),
        ("Hola Dana, nos conocimos en la conferencia de Madrid.", "es"),
        ("Olá Dana, nos conhecemos na conferência de Lisboa.", "pt"),
        ("Me gustaría añadirte a mi red profesional de LinkedIn.", "es"),
        # long, with few short function words: still German, not "no language of ours"
        (
            "Hallo Dana, ich schreibe nochmal wegen meiner Anfrage von letzter Woche. Falls "
            "Lagerlogistik bei euch gerade kein Thema ist, sag einfach kurz Bescheid. Unser "
            "Team in Dresden kann ab sofort zwei Fachkräfte für euer Projekt stellen.",
            "de",
        ),
        ("Oi Dana, tudo bem? A gente trabalhou junto, lembra? Que bom te achar aqui!", "pt"),
        # formal and list-like, few function words and none of them English: still German
        (
            "Sehr geehrter Herr Brandt, aufgrund Ihres Profils möchte ich Ihnen eine spannende "
            "Position als Leitung Controlling in einem Familienunternehmen bei Ulm vorstellen. "
            "Attraktives Gehalt, 30 Tage Urlaub, Dienstwagen, Weiterbildungsbudget.",
            "de",
        ),
        # long compounds, and "per" (also Italian): still German (ninth session)
        (
            "Hallo Herr Brenner, Fachkräftemangel in der Konstruktion? Wir stellen Ihnen "
            "erfahrene Konstrukteure aus Serbien und Bosnien per Arbeitnehmerüberlassung zur "
            "Verfügung: deutschsprachig, CAD-sicher, einsatzbereit ab 4 Wochen. Darf ich Ihnen "
            "unverbindlich drei Profile zusenden? Viele Grüße Dragan Ilić",
            "de",
        ),
        # Quebec French with "à" and "par" but few of the listed words (tenth session)
        (
            "Allo Manon! Pierre Gagnon m'a dit que tu pensais peut-être ralentir à Sherbrooke. "
            "Nous on cherche justement quelqu'un deux jours par semaine à notre bureau de Magog. "
            "Intéressée?",
            "fr",
        ),
        ("Hello Sam, hope you're keeping well. Regards, Olu", "en"),
    ],
)
def test_language_guess(text: str, lang: str) -> None:
    assert guess_language(text) == lang


def test_classify_many_matches_classify(clf: Classifier) -> None:
    items = [(t, k) for _, k, t in CASES[::7]]
    assert clf.classify_many(items) == [clf.classify(t, k) for t, k in items]


def test_classify_many_keeps_order_and_kinds_across_its_batches(clf: Classifier) -> None:
    """More asks than two of classify_many's batches, from a generator, each kind in turn:
    every ask gets the label it gets alone (kinds matter: an empty invitation is bare)."""
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    kinds = ("invitation", "inmail", "message", None)
    items = [(r["text"], kinds[i % 4]) for i, r in enumerate(rows)]
    items += [("", "invitation"), ("", "message")] * 10
    assert len(items) > 2 * BATCH
    got = clf.classify_many(item for item in items)
    assert got == [clf.classify(t, k) for t, k in items]


def test_evidence_lists_winner_first_with_matched_words(clf: Classifier) -> None:
    text = "Hi Dana, we met at StreamConf in 2019. Our platform is a game changer, book a demo!"
    result = clf.classify(text, "invitation")
    assert result.label == "pitch"
    assert result.evidence[0].label == "pitch"
    texts = {e.text for e in result.evidence}
    assert "game changer" in texts
    assert any(t.startswith("we met") for t in texts)
    assert result.scores["pitch"] >= 1
    assert result.scores["stale_reconnect"] >= 1
    assert "more protective" in result.why
    assert set(result.winning_patterns) <= {e.pattern for e in result.evidence}


def test_explain_names_label_patterns_words_and_how_to_tune(clf: Classifier) -> None:
    result = clf.classify("Hi Dana, do you have 15 minutes of your time for a quick demo?")
    text = explain(result)
    assert text.startswith("label: pitch")
    assert "pitch.fifteen_minutes" in text
    assert "'15 minutes of your time'" in text
    assert "scam > mlm > investor_ask" in text
    assert '{"disable": "pitch.' in text


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_user_file_adds_patterns(tmp_path: Path) -> None:
    user = write(
        tmp_path / "mine.jsonl",
        [
            "# my own families",
            '{"id": "genuine.tidewater", "label": "genuine", "pattern": [{"LOWER": "tidewater"}],'
            ' "weight": 1.5}',
            '{"id": "scam.gold_bars", "label": "scam", "pattern": "gold bars", "lang": "en"}',
        ],
    )
    clf = Classifier.load(user)
    assert "genuine.tidewater" in clf.pattern_ids
    result = clf.classify("Question about Tidewater partitions.", "message")
    assert result.label == "genuine"
    assert result.evidence[0].pattern == "genuine.tidewater"
    assert result.evidence[0].weight == 1.5
    assert clf.classify("Buy my gold bars today", "message").label == "scam"


def test_user_file_disables_builtin_patterns(tmp_path: Path) -> None:
    text = "Hi Dana, could I have 15 minutes of your time to present our platform?"
    assert Classifier.load().classify(text).label == "pitch"
    user = write(tmp_path / "off.jsonl", ['{"disable": "pitch.fifteen_minutes"}'])
    clf = Classifier.load(user)
    assert "pitch.fifteen_minutes" not in clf.pattern_ids
    result = clf.classify(text)
    assert "pitch.fifteen_minutes" not in {e.pattern for e in result.evidence}
    assert clf.with_lexicon(None).classify(text).label == "unclear"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"id": "pitch.x", "label": "pitch", "pattern": [{"LOWER": {"INN": ["a"]}}]}',
            "invalid token pattern",
        ),
        (
            '{"id": "pitch.x", "label": "pitch", "pattern": [{"LOWER": {"REGEX": "(("}}]}',
            "invalid token pattern",
        ),
        ('{"id": "pitch.x", "label": "pitchy", "pattern": "demo"}', "unknown label"),
        ('{"id": "nodot", "label": "pitch", "pattern": "demo"}', '"id"'),
        ('{"id": "pitch.x", "label": "pitch", "pattern": "demo", "weight": -1}', "weight"),
        ('{"id": "pitch.x", "label": "pitch", "pattern": "demo", "colour": 1}', "unknown key"),
        ('{"id": "pitch.x", "label": "pitch", "pattern": "demo", "lang": "it"}', '"lang"'),
        ('{"id": "pitch.x", "label": "pitch"', "not valid JSON"),
        ('["pitch"]', "JSON object"),
        ('{"disable": "pitch.no_such_family"}', "unknown pattern id"),
    ],
)
def test_bad_pattern_file_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    good = '{"id": "pitch.ok", "label": "pitch", "pattern": "demo day"}'
    user = write(tmp_path / "bad.jsonl", ["# comment", good, "", line])
    with pytest.raises(ConfigError) as info:
        Classifier.load(user)
    assert f"{user}:4:" in str(info.value)
    assert message in str(info.value)


def test_same_id_with_other_weight_is_rejected(tmp_path: Path) -> None:
    user = write(
        tmp_path / "twice.jsonl",
        [
            '{"id": "pitch.mine", "label": "pitch", "pattern": "demo day"}',
            '{"id": "pitch.mine", "label": "pitch", "pattern": "demo night", "weight": 2}',
        ],
    )
    with pytest.raises(ConfigError, match=r"twice\.jsonl:2: .*twice\.jsonl:1"):
        Classifier.load(user)


def test_missing_user_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such pattern file"):
        Classifier.load(tmp_path / "nope.jsonl")


def test_importing_the_eval_command_does_not_import_spacy() -> None:
    code = "import sys, responder.cli_eval, responder.classify; print('spacy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_truncated_message_preview_is_unclear(clf: Classifier) -> None:
    text = "Hi Dana, quick question about your talk on backfills. Would you have time to…"
    assert clf.classify(text, "message").label == "unclear"
    assert clf.classify(text.replace("…", "?"), "message").label == "genuine"


def test_asks_of_the_sample_mails_get_their_labels(clf: Classifier) -> None:
    expected = Path(__file__).parent / "corpus" / "eml" / "expected.jsonl"
    rows = [json.loads(line) for line in expected.read_text(encoding="utf-8").splitlines()]
    asks = [r for r in rows if r["ask_text"] is not None and r["label"] is not None]
    got = clf.classify_many((r["ask_text"], r["kind"]) for r in asks)
    assert [(r["file"], c.label) for r, c in zip(asks, got, strict=True)] == [
        (r["file"], r["label"]) for r in asks
    ]


def test_a_draft_with_any_scam_or_mlm_signal_is_left_not_drafted(clf: Classifier) -> None:
    """A reconnect that fits but carries a weak mlm signal (mlm's favourite disguise)."""
    result = clf.classify(
        "Hi Dana, we worked together at Acme in 2015. Let's keep in touch, I work from "
        "anywhere these days!",
        "invitation",
    )
    assert result.scores["stale_reconnect"] >= 1
    assert 0 < result.scores["mlm"] < 1
    assert result.label == "unclear"
    assert "not drafted" in result.why


def test_a_filing_label_below_the_fit_wins_over_unclear_when_it_leads() -> None:
    from responder.classify import _decide

    assert _decide({"recruiter": 0.75})[0] == "recruiter"
    assert "fallback" in _decide({"recruiter": 0.75})[1]
    assert _decide({"recruiter": 0.75, "pitch": 0.5})[0] == "unclear"  # no clear lead
    assert _decide({"genuine": 0.6})[0] == "unclear"  # a draft still needs two signals


def test_a_drafting_label_outweighs_a_filing_one_by_a_smaller_margin() -> None:
    from responder.classify import _decide

    assert _decide({"pitch": 1.0, "genuine": 1.8})[0] == "genuine"
    assert _decide({"pitch": 1.0, "recruiter": 1.8})[0] == "pitch"
    assert _decide({"scam": 1.0, "genuine": 3.0})[0] == "scam"


# -- the word model (responder/lexicon.py, patterns/lexicon.tsv) ---------------------------

#: An ask the patterns alone leave unclear once pitch.fifteen_minutes is off (one pattern of
#: 0.5 fires), and the word model reads as a pitch.
WORDS_DECIDE = "Hi Dana, could I have 15 minutes of your time to present our platform?"


def test_word_model_loads_with_the_package(clf: Classifier) -> None:
    assert clf.lexicon is not None
    assert len(clf.lexicon) > 1000
    assert {"?", "@kind=invitation"} <= set(clf.lexicon.index)
    assert clf.lexicon.where == str(builtin_lexicon_file())


def test_lexicon_file_is_sorted_per_label_by_falling_weight() -> None:
    lines = [
        line.split("\t")
        for line in builtin_lexicon_file().read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    labels = [label for label, _, _ in lines]
    assert labels == sorted(labels, key=LABELS.index)
    for label in set(labels):
        mine = [(float(w), f) for lab, w, f in lines if lab == label]
        assert mine[0][1] == BIAS, label
        assert [w for w, _ in mine[1:]] == sorted((w for w, _ in mine[1:]), reverse=True)


def test_word_model_decides_when_patterns_are_not_decisive(tmp_path: Path) -> None:
    user = write(tmp_path / "off.jsonl", ['{"disable": "pitch.fifteen_minutes"}'])
    result = Classifier.load(user).classify(WORDS_DECIDE)
    assert result.label == "pitch"
    assert "the patterns alone: unclear" in result.why
    (words,) = [e for e in result.evidence if e.pattern == "pitch.lexicon"]
    assert words.label == "pitch"
    assert words.weight >= 0.6
    assert words.text.startswith("p 0.")
    assert "our +" in words.text  # the words that weighed most, with their weights
    assert result.scores["pitch"] == pytest.approx(0.5 + words.weight)


def test_explanation_lists_the_words_and_how_to_switch_them_off(tmp_path: Path) -> None:
    user = write(tmp_path / "off.jsonl", ['{"disable": "pitch.fifteen_minutes"}'])
    text = explain(Classifier.load(user).classify(WORDS_DECIDE))
    assert "* pitch.lexicon [pitch, weight " in text
    assert "words: p 0." in text
    assert "word model: <label>.lexicon weighs 2 x the probability" in text
    assert '{"disable": "pitch.lexicon"}' in text
    assert '{"disable": "lexicon"}' in text
    assert '{"disable": "pitch.our_product"}' in text


def test_classify_json_carries_the_word_evidence() -> None:
    result = CliRunner().invoke(cli, ["classify", "--json", "--text", WORDS_DECIDE])
    assert result.exit_code == 0, result.output
    evidence = json.loads(result.output)["evidence"]
    words = [e for e in evidence if e["pattern"] == "pitch.lexicon"]
    assert words
    assert words[0]["label"] == "pitch"
    assert "+" in words[0]["text"]


@pytest.mark.parametrize(
    ("lines", "label", "off"),
    [
        (['{"disable": "pitch.fifteen_minutes"}', '{"disable": "lexicon"}'], "unclear", None),
        (['{"disable": "pitch.fifteen_minutes"}', '{"disable": "pitch.lexicon"}'], "unclear",
         {"pitch"}),
    ],
)
def test_user_file_switches_the_word_model_off(
    tmp_path: Path, lines: list[str], label: str, off: set[str] | None
) -> None:
    clf = Classifier.load(write(tmp_path / "off.jsonl", lines))
    if off is None:
        assert clf.lexicon is None
    else:
        assert clf.lexicon_off == off
    result = clf.classify(WORDS_DECIDE)
    assert result.label == label, explain(result)
    assert not [e for e in result.evidence if e.pattern == "pitch.lexicon"]


def test_a_user_pattern_cannot_take_a_word_model_id(tmp_path: Path) -> None:
    user = write(tmp_path / "mine.jsonl", ['{"id": "pitch.lexicon", "label": "pitch", '
                                           '"pattern": "demo"}'])
    with pytest.raises(ConfigError, match=r"mine\.jsonl:1: .*reserved for the word model"):
        Classifier.load(user)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("pitch\t+0.5", "expected label<TAB>weight<TAB>feature"),
        ("pitchy\t+0.5\tdemo", "unknown label 'pitchy'"),
        ("pitch\tmuch\tdemo", "weight 'much' is not a number"),
        ("pitch\tnan\tdemo", "not a finite number"),
        ("pitch\t+0.5\t", "empty feature"),
        ("scam\t+0.90\twhatsapp", "listed twice"),
    ],
)
def test_bad_lexicon_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    bad = write(tmp_path / "lexicon.tsv", ["# a comment", "scam\t+0.90\twhatsapp", "", line])
    with pytest.raises(ConfigError) as info:
        Classifier.load(lexicon=bad)
    assert f"{bad}:4: " in str(info.value)
    assert message in str(info.value)


def test_responder_check_reports_a_bad_lexicon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken package lexicon stops `responder check` with its file and line."""
    package = tmp_path / "patterns"
    package.mkdir()
    for path in PATTERN_DIR.glob("*.jsonl"):
        (package / path.name).write_bytes(path.read_bytes())
    lines = builtin_lexicon_file().read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, start=1) if not line.startswith("#"))
    lines[number - 1] = "scam\tplenty\twhatsapp"
    write(package / "lexicon.tsv", lines)
    monkeypatch.setattr("responder.classify.PATTERN_DIR", package)
    env = {k: None for k in os.environ if k.startswith("RESPONDER_")}
    env |= {"RESPONDER_MAILDIR": str(tmp_path / "Maildir"),
            "RESPONDER_STATE_DIR": str(tmp_path / "state")}
    result = CliRunner().invoke(cli, ["check"], env=env)
    assert result.exit_code != 0
    assert f"{package / 'lexicon.tsv'}:{number}: weight 'plenty' is not a number" in (
        result.output
    )


def test_ask_in_a_language_without_patterns_gets_no_word_evidence(clf: Classifier) -> None:
    text = ("Ciao Dana, ho visto il tuo profilo e vorrei proporti una collaborazione per il "
            "nostro nuovo prodotto di analisi dei dati.")
    result = clf.classify(text, "inmail")
    assert clf.lexicon is not None
    assert result.label == "unclear"
    assert result.evidence == ()


def test_denied_words_are_not_word_features(clf: Classifier) -> None:
    denied = clf.word_features("I'm not selling anything, just a question about your talk.")
    plain = clf.word_features("I'm selling something, just a question about your talk.")
    assert "sell" in plain
    assert "sell" not in denied
    assert "sell anything" not in denied
    assert {"question", "your talk"} <= set(denied)


def test_word_rows_match_the_word_features(clf: Classifier) -> None:
    """The fast path (token codes) finds exactly the rows of the plain string features."""
    assert clf.lexicon is not None
    for _, kind, text in CASES:
        doc = clf._nlp(text.lower())
        plain = clf.lexicon.rows_of(clf.word_features(text, kind))
        assert clf._rows(doc, kind) == plain, text


def test_the_word_model_counts_fully_only_when_patterns_are_not_decisive() -> None:
    words = {"pitch": 0.8, "genuine": 1.2, "recruiter": 1.4}
    assert _heard({"pitch": 0.5}, words) == words
    # decisive patterns: only weights of 1 or more (p >= 0.5), as 1, for labels the patterns
    # found too or scam, mlm, genuine
    assert _heard({"pitch": 1.0}, words) == {"genuine": 1.0}
    assert _heard({"recruiter": 1.0}, words) == {"genuine": 1.0, "recruiter": 1.0}
    assert _heard({"genuine": 1.0}, {"scam": 1.1, "mlm": 0.9}) == {"scam": 1.0}


def test_the_word_model_never_makes_a_draft_the_patterns_would_not() -> None:
    label, why = _decide_with_words({"genuine": 0.6}, {"genuine": 1.2})
    assert label == "unclear"
    assert "no draft on the words' say" in why
    assert _decide_with_words({}, {"stale_reconnect": 1.9})[0] == "unclear"
    assert _decide_with_words({"pitch": 1.0, "genuine": 1.2}, {"genuine": 1.0})[0] == "unclear"
    # what the patterns draft, the words may still move between the drafting labels
    assert _decide_with_words({"genuine": 1.0}, {"genuine": 1.0})[0] == "genuine"
    assert _decide_with_words({"stale_reconnect": 1.0, "genuine": 0.4}, {"genuine": 1.0})[
        0
    ] == "genuine"


def test_the_word_model_never_files_what_may_be_genuine() -> None:
    assert _decide_with_words({}, {"pitch": 1.2})[0] == "pitch"
    # the patterns alone draft, with the words it would file: left
    label, why = _decide_with_words({"genuine": 1.2}, {"pitch": 1.0})
    assert label == "unclear"
    assert "not filed on the words' say" in why
    # a drafting pattern fired and only the words make the filing label win, by the fallback
    label, why = _decide_with_words({"genuine": 0.4}, {"contact_harvest": 0.8})
    assert label == "unclear"
    assert "not filed on a fallback of the words" in why
    assert _decide_with_words({}, {"contact_harvest": 0.8})[0] == "contact_harvest"
    assert _decide_with_words({"genuine": 0.4, "pitch": 0.5}, {"pitch": 0.8})[0] == "pitch"
    # the words read as genuine and the patterns are not sure of the filing label: left
    assert _decide_with_words({"pitch": 1.5}, {"genuine": 1.0})[0] == "unclear"
    assert _decide_with_words({"pitch": 2.0}, {"genuine": 1.0})[0] == "pitch"
    # a scam or mlm signal from the words still stops a draft (nor is the ask filed)
    assert _decide_with_words({"genuine": 1.2}, {"mlm": 0.6})[0] == "unclear"
    assert _decide_with_words({"genuine": 1.2}, {"scam": 1.0})[0] == "unclear"
    assert _decide_with_words({"genuine": 0.6}, {"scam": 1.0})[0] == "scam"


def _probs(**given: float) -> dict[str, float]:
    """Word-model probabilities: ``given``, the rest shared out evenly."""
    rest = [lab for lab in LABELS if lab not in given]
    share = (1.0 - sum(given.values())) / len(rest)
    return {lab: given.get(lab, share) for lab in LABELS}


def test_without_the_patterns_that_fired_the_words_never_draft() -> None:
    clear = _probs(genuine=0.9, unclear=0.02, scam=0.0, mlm=0.0)
    label, why = _decide_with_words({"genuine": 0.6}, {"genuine": 1.8}, clear)
    assert label == "unclear"
    assert "no draft on the words' say" in why
    assert _decide_with_words({}, {"genuine": 1.8}, clear)[0] == "unclear"
    stale = _probs(stale_reconnect=0.9, unclear=0.02, scam=0.0, mlm=0.0)
    assert _decide_with_words({}, {"stale_reconnect": 1.8}, stale)[0] == "unclear"


def test_the_words_alone_file_only_when_nothing_reads_as_a_draft() -> None:
    spread = _probs(pitch=0.32, free_work=0.2, recruiter=0.15, contact_harvest=0.12,
                    genuine=0.05, stale_reconnect=0.03, unclear=0.05)
    assert _decide_with_words({"free_work": 0.5}, {"pitch": 0.64})[0] == "unclear"
    label, why = _decide_with_words({"free_work": 0.5}, {"pitch": 0.64}, spread)
    assert label == "pitch"
    assert "the words alone read as filed mail" in why
    # not with a drafting pattern, nor when genuine and stale_reconnect are likely enough, nor
    # when no filing label is likely on its own (a vague ask: the words do not know either)
    assert _decide_with_words({"genuine": 0.4}, {"pitch": 0.64}, spread)[0] == "unclear"
    assert _decide_with_words({"free_work": 0.5}, {"pitch": 0.64}, spread, {"pitch"})[0] == (
        "unclear"
    )
    maybe = _probs(pitch=0.3, free_work=0.25, recruiter=0.2, genuine=0.2, unclear=0.02)
    assert _decide_with_words({"free_work": 0.5}, {"pitch": 0.6}, maybe)[0] == "unclear"
    vague = _probs(pitch=0.2, investor_ask=0.2, scam=0.15, bare_invite=0.2, genuine=0.05,
                   stale_reconnect=0.02, unclear=0.1)
    assert _decide_with_words({}, {}, vague)[0] == "unclear"


#: A specific genuine ask the patterns half-see (one genuine family of 0.4) and the words
#: read as genuine: drafted on the words behind the guard.
WORDS_GENUINE_ASK = (
    "Hi Mara, retry budgets in gRPC clients came up in a forum thread with your name on it. "
    "We hit the same thundering-herd problem last month; did you tune the budget per service?"
)


@pytest.fixture(scope="module")
def words_clf(clf: Classifier) -> Classifier:
    """The shipped classifier, whose reason signal (a question) lets the words draft."""
    return clf


@pytest.fixture(scope="module")
def no_reason_clf(tmp_path_factory: pytest.TempPathFactory) -> Classifier:
    """The classifier with the shipped reason signal switched off by a user's file."""
    line = '{"disable": "genuine.reason_question"}'
    return Classifier.load(write(tmp_path_factory.mktemp("reason") / "r.jsonl", [line]))


def _fired(*ids: str, negated: str = "") -> list[Evidence]:
    """Pattern evidence of ``ids`` (``label.family``) and of a question (the reason signal);
    the id ``negated`` denied."""
    out = [Evidence(pid, pid.partition(".")[0], "words", 0.4) for pid in ids]
    out.append(Evidence("genuine.reason_question", "genuine", "?"))
    if negated:
        out.append(Evidence(negated, negated.partition(".")[0], "words", 1.0, negated=True))
    return out


#: WORDS_GENUINE_ASK without its one specific genuine signal ("last month", a named time).
WORDS_GENUINE_ASK_VAGUE = WORDS_GENUINE_ASK.replace(" last month", "")


def test_without_a_reason_signal_the_words_draft_only_on_a_specific_pattern(
    no_reason_clf: Classifier,
) -> None:
    vague = no_reason_clf.classify(WORDS_GENUINE_ASK_VAGUE, "message")
    assert vague.label == "unclear", explain(vague)
    assert "no draft on the words' say" in vague.why
    specific = no_reason_clf.classify(WORDS_GENUINE_ASK, "message")
    assert specific.label == "genuine", explain(specific)
    assert "from 0.5 with a specific pattern" in specific.why
    assert "a specific genuine signal (genuine.named_event)" in specific.why


def test_a_genuine_ask_only_the_words_read_as_genuine_is_drafted_behind_a_guard(
    words_clf: Classifier,
) -> None:
    clf = words_clf
    assert clf.with_lexicon(None).classify(WORDS_GENUINE_ASK, "message").label == "unclear"
    result = clf.classify(WORDS_GENUINE_ASK, "message")
    assert result.label == "genuine", explain(result)
    assert result.why.startswith("drafted on the words: they read genuine at p 0.")
    for check in ("not even denied", "scam and mlm together p 0.", "a specific genuine signal",
                  "a reason to talk (genuine.reason_question)"):
        assert check in result.why
    assert "the patterns alone: unclear" in result.why
    text = explain(result)
    assert "drafted as genuine on the words (the likeliest label) only behind a guard" in text
    assert "p 0.7 with a reason signal" in text
    assert "or p 0.5 with a specific genuine pattern" in text
    assert "* genuine.reason_question [genuine, weight 1] '?'  guard signal" in text
    counted = [e.weight for e in result.evidence if ".reason_" not in e.pattern]
    assert result.scores["genuine"] == pytest.approx(sum(counted))  # the reason is not counted
    assert '{"disable": "genuine.lexicon"} the word model\'s evidence for genuine and its ' in text


@pytest.mark.parametrize(
    "extra",
    [
        " I also run a small crypto arbitrage desk on the side.",  # a danger signal
        " I'd send the details on WhatsApp.",  # contact off LinkedIn
        " I'm not a recruiter.",  # a denied filing pattern still counts for the guard
    ],
)
def test_a_scam_ish_ask_the_words_read_as_genuine_is_not_drafted(
    words_clf: Classifier, extra: str
) -> None:
    result = words_clf.classify(WORDS_GENUINE_ASK + extra, "message")
    assert result.label == "unclear", explain(result)
    assert [e for e in result.evidence if e.label not in ("genuine", "stale_reconnect")]


def test_a_selling_word_stops_the_guarded_draft_but_not_the_tip(words_clf: Classifier) -> None:
    """A selling word the pitch patterns half-see ("Our agency") is a danger signal: the
    words' guarded draft never passes it. Only the words' tip (p >= WORDS_TIP, no scam or
    mlm signal) may still draft such an ask, and says so; over the measure-only sets the tip
    drafted 14 asks, all rightly, one of them past a danger signal (seventh session)."""
    result = words_clf.classify(WORDS_GENUINE_ASK + " Our agency guarantees results.", "message")
    assert "pitch.danger_selling" in [e.pattern for e in result.evidence]
    assert "drafted on the words:" not in result.why
    if result.label != "unclear":
        assert result.label == "genuine", explain(result)
        assert "drafted on the words' tip" in result.why
        assert float(result.why.split("genuine at p ")[1][:4]) >= WORDS_TIP


def test_the_user_switches_drafts_on_the_words_off(tmp_path: Path) -> None:
    user = write(tmp_path / "off.jsonl", ['{"disable": "genuine.lexicon"}'])
    result = Classifier.load(user).classify(WORDS_GENUINE_ASK, "message")
    assert result.label == "unclear", explain(result)
    assert "drafted on the words" not in result.why


def test_the_words_draft_only_behind_every_check_of_the_guard() -> None:
    clear = _probs(genuine=0.8, unclear=0.02, scam=0.01, mlm=0.01)
    specific = _fired("genuine.read_your_work")
    label, why = _decide_with_words({"genuine": 0.4}, {"genuine": 1.6}, clear, (), specific)
    assert label == "genuine"
    assert "genuine.read_your_work" in why
    # the words not sure enough, or another label as likely: from 0.5 with a specific
    # pattern, from 0.7 with only a reason signal
    unsure = _probs(genuine=0.45, unclear=0.02, scam=0.01, mlm=0.01)
    assert _decide_with_words({"genuine": 0.4}, {"genuine": 0.9}, unsure, (), specific)[0] == (
        "unclear"
    )
    fair = _probs(genuine=0.55, unclear=0.02, scam=0.01, mlm=0.01)
    label, why = _decide_with_words({"genuine": 0.4}, {"genuine": 1.1}, fair, (), specific)
    assert label == "genuine"
    assert "from 0.5 with a specific pattern" in why
    assert _decide_with_words({}, {"genuine": 1.1}, fair, (), _fired())[0] == "unclear"
    split = _probs(genuine=0.55, pitch=0.55)
    assert _decide_with_words({"genuine": 0.4}, {"genuine": 1.1}, split, (), specific)[0] == (
        "unclear"
    )
    # any pattern of a filing label, even denied, even too weak to count
    for fired in (
        _fired("genuine.read_your_work", "scam.danger_crypto"),
        _fired("genuine.read_your_work", negated="recruiter.hiring"),
    ):
        rules = {"genuine": 0.4} | {e.label: 0.2 for e in fired if not e.negated}
        assert _decide_with_words(rules, {"genuine": 1.6}, clear, (), fired)[0] == "unclear"
    # scam and mlm together too likely
    risky = _probs(genuine=0.7, scam=0.08, mlm=0.05)
    assert _decide_with_words({"genuine": 0.4}, {"genuine": 1.4}, risky, (), specific)[0] == (
        "unclear"
    )
    # a reason to talk (a question) without anything specific drafts from 0.7; a specific
    # pattern without a question, from 0.5; neither, never
    label, why = _decide_with_words({}, {"genuine": 1.6}, clear, (), _fired())
    assert label == "genuine"
    assert "specific" not in why
    no_question = [e for e in specific if e.pattern != "genuine.reason_question"]
    label, why = _decide_with_words({"genuine": 0.4}, {"genuine": 1.6}, clear, (), no_question)
    assert label == "genuine"
    assert "reason" not in why.partition("guard passed")[2]
    assert _decide_with_words({}, {"genuine": 1.6}, clear, (), [])[0] == "unclear"
    # switched off, and never stale_reconnect
    assert _decide_with_words(
        {"genuine": 0.4}, {"genuine": 1.6}, clear, {"genuine"}, specific
    )[0] == "unclear"
    stale = _probs(stale_reconnect=0.8, unclear=0.02, scam=0.01, mlm=0.01)
    fired = _fired("stale_reconnect.met_before")
    assert _decide_with_words({"stale_reconnect": 0.4}, {"stale_reconnect": 1.6}, stale, (),
                              fired)[0] == "unclear"


def test_lexicon_is_what_training_gives() -> None:
    """patterns/lexicon.tsv is exactly what scripts/train_lexicon.py makes of the data."""
    script = Path(__file__).parent.parent / "scripts" / "train_lexicon.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True,
                          text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr


def test_parse_lexicon_reads_what_format_writes() -> None:
    from responder.lexicon import format_lexicon

    text = format_lexicon({("pitch", BIAS): 0.1, ("pitch", "demo"): 0.7,
                           ("scam", "wire"): 1.5, ("pitch", "book demo"): 0.9}, ["head"])
    assert text.splitlines()[:3] == ["# head", "scam\t+1.50\twire", "pitch\t+0.10\t@bias"]
    lex = parse_lexicon(text, "mem")
    assert lex.names == ("book demo", "demo", "wire")
    assert lex.probabilities(lex.rows_of(["demo", "book demo"]))[LABELS.index("pitch")] > 0.2
    assert len(read_lexicon(builtin_lexicon_file())) > 1000


def test_a_budget_named_in_the_recipients_work_is_no_question_about_their_budget(
    clf: Classifier,
) -> None:
    """"your post on retry budgets" is about their writing; "your team's annual budget" asks
    for their company's figures (contact_harvest.org_info)."""
    about_work = clf.classify("Hi Dana, I read your post on retry budgets. Did you tune the "
                              "budget per service?", "message")
    assert "contact_harvest.org_info" not in [e.pattern for e in about_work.evidence]
    about_spend = clf.classify("Hi Dana, what's your team's annual budget for data tooling, "
                               "and who decides it?", "message")
    assert "contact_harvest.org_info" in [e.pattern for e in about_spend.evidence]


@pytest.mark.parametrize(
    "text",
    ["Hello, something I would like to run by you.",
     "Hey Tom, wondering what you think about something."],
)
def test_a_short_vague_note_is_unclear_not_a_bare_invite(clf: Classifier, text: str) -> None:
    """A note that says something, however vague, is no bare invitation: the word model,
    which reads one mostly from the kind of mail, never decides that label."""
    result = clf.classify(text, "invitation")
    assert result.label == "unclear", explain(result)
    assert not [e for e in result.evidence if e.pattern == "bare_invite.lexicon"]
    assert clf.classify("Hi Marta, let's connect!", "invitation").label == "bare_invite"


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("Would you be open to a short call next week.", True),
        ("Could we compare notes on the rollout.", True),
        ("Let me know if the timing works for you.", True),
        ("I'd love to hear how you handled the migration.", True),
        ("Hätten Sie Lust auf einen kurzen Austausch.", True),
        ("Pourriez-vous me dire comment vous avez fait.", True),
        ("Me encantaría saber cómo lo resolvieron.", True),
        ("Bora tomar um café semana que vem.", True),
        # an offer or a wish to compare is a reason to talk too
        ("I'd like to share how the second trial went.", True),
        ("Curious how you handled the wheel loads on the turntable.", True),
        ("I'll send you our rider survey once it is out.", True),
        ("Ich schicke Ihnen unser Konzept gern zu.", True),
        ("Voulez-vous que je vous envoie la version audio.", True),
        ("We shipped the update and I shared it with the team.", False),
        ("We migrated the cluster last month and it went well.", False),
        ("Wir haben den Cluster im Mai umgezogen.", False),
    ],
)
def test_the_reason_signal_is_a_question_or_a_request_put_as_one(
    clf: Classifier, text: str, asks: bool
) -> None:
    """The words draft only with a reason to talk: a "?", or a request without one."""
    fired = [e.pattern for e in clf.classify(text, "message").evidence]
    assert ("genuine.reason_question" in fired) is asks, fired


def test_the_words_tip_a_genuine_ask_over_a_weak_filing_pattern_behind_every_check() -> None:
    """A referral with an offer in return, where "a couple of questions" fires free_work.advice:
    drafted when the genuine patterns fit on their own and the words are nearly sure."""
    from responder.classify import SURE, TIP_DANGER, WORDS_TIP

    def fired(*extra: Evidence, weight: float = 0.6) -> list[Evidence]:
        return [
            Evidence("genuine.named_referral", "genuine", "suggested I reach", weight),
            Evidence("genuine.offer", "genuine", "happy to share", weight),
            Evidence("genuine.reason_question", "genuine", "?", 1.0),
            Evidence("free_work.advice", "free_work", "couple of questions", 1.0),
            *extra,
        ]

    rules = {"genuine": 1.2, "free_work": 1.0}
    sure = _probs(genuine=WORDS_TIP + 0.04, scam=0.0, mlm=0.0)
    label, why = _decide_with_words(rules, {"genuine": 1.0}, sure, (), fired())
    assert label == "genuine"
    assert "the words' tip" in why
    assert "patterns alone make it free_work" in why
    # the words less sure
    unsure = _probs(genuine=WORDS_TIP - 0.05, scam=0.0, mlm=0.0)
    assert _decide_with_words(rules, {"genuine": 1.0}, unsure, (), fired())[0] == "unclear"
    # scam and mlm together above TIP_DANGER (still far below DRAFT_DANGER)
    wary = _probs(genuine=WORDS_TIP + 0.02, scam=TIP_DANGER, mlm=0.02)
    assert _decide_with_words(rules, {"genuine": 1.0}, wary, (), fired())[0] == "unclear"
    # any scam or mlm pattern, even a denied one or a danger signal
    for extra in (
        Evidence("mlm.danger_soft_sell", "mlm", "no pressure", 1.0),
        Evidence("scam.off_platform", "scam", "on WhatsApp", 1.0, negated=True),
    ):
        assert _decide_with_words(rules, {"genuine": 1.0}, sure, (), fired(extra))[0] == (
            "unclear"
        )
    # the genuine patterns do not fit on their own
    weak = {"genuine": 0.8, "free_work": 1.0}
    assert _decide_with_words(weak, {"genuine": 1.0}, sure, (), fired(weight=0.4))[0] == (
        "unclear"
    )
    # a filing label the patterns alone are sure of stays filed
    filed = {"genuine": 1.2, "free_work": SURE}
    assert _decide_with_words(filed, {"genuine": 1.0}, sure, (), fired())[0] == "free_work"
    # switched off with the words' drafts
    assert _decide_with_words(rules, {"genuine": 1.0}, sure, {"genuine"}, fired())[0] == (
        "unclear"
    )


def test_the_words_tip_past_weak_filing_words_when_no_label_fits() -> None:
    """A question beside a selling word ("our sales team"): nothing fits on the patterns, and
    the words' draft guard alone would stop at the danger signal; the tip drafts it."""
    from responder.classify import TIP_DANGER, WORDS_TIP

    fired = [
        Evidence("genuine.reason_question", "genuine", "?", 1.0),
        Evidence("pitch.danger_selling", "pitch", "sales", 1.0),
    ]
    rules: dict[str, float] = {}
    sure = _probs(genuine=WORDS_TIP + 0.05, scam=0.0, mlm=0.0)
    label, why = _decide_with_words(rules, {"genuine": 1.9}, sure, (), fired)
    assert label == "genuine"
    assert "no label fits on the patterns alone" in why
    assert "genuine.reason_question" in why
    # not without a genuine signal, not below WORDS_TIP, not above TIP_DANGER, not with an
    # MLM danger signal, not when a filing label fits
    assert _decide_with_words(rules, {"genuine": 1.9}, sure, (), fired[1:])[0] == "unclear"
    unsure = _probs(genuine=WORDS_TIP - 0.1, scam=0.0, mlm=0.0)
    assert _decide_with_words(rules, {"genuine": 1.6}, unsure, (), fired)[0] == "unclear"
    wary = _probs(genuine=WORDS_TIP + 0.02, scam=TIP_DANGER, mlm=0.02)
    assert _decide_with_words(rules, {"genuine": 1.9}, wary, (), fired)[0] == "unclear"
    mlm = [*fired, Evidence("mlm.danger_income", "mlm", "income", 1.0)]
    assert _decide_with_words(rules, {"genuine": 1.9}, sure, (), mlm)[0] == "unclear"
    pitch = [*fired, Evidence("pitch.demo", "pitch", "book a demo", 1.0)]
    assert _decide_with_words({"pitch": 1.0}, {"genuine": 1.9}, sure, (), pitch)[0] != "genuine"
    # nor past a denial, a disguise's tell ("I'm not selling anything")
    denied = [*fired, Evidence("pitch.selling", "pitch", "selling", 1.0, negated=True)]
    assert _decide_with_words(rules, {"genuine": 1.9}, sure, (), denied)[0] == "unclear"


def test_no_draft_when_the_words_read_scam_or_mlm() -> None:
    """A reconnect the patterns would draft is left unclear when the words give scam and mlm
    together DRAFT_DANGER or more: the disguise MLM asks wear most."""
    from responder.classify import DRAFT_DANGER

    rules = {"stale_reconnect": 1.5}
    wary = _probs(stale_reconnect=0.5, mlm=DRAFT_DANGER - 0.1, scam=0.1)
    label, why = _decide_with_words(rules, {}, wary)
    assert label == "unclear"
    assert f"the words read scam or mlm at p {DRAFT_DANGER:.2f} together" in why
    calm = _probs(stale_reconnect=0.7, mlm=DRAFT_DANGER - 0.15, scam=0.1)
    assert _decide_with_words(rules, {}, calm)[0] == "stale_reconnect"
    # a label whose word evidence the user switched off does not count
    assert _decide_with_words(rules, {}, wary, {"mlm", "scam"})[0] == "stale_reconnect"
    # nothing changes for filing labels
    assert _decide_with_words({"pitch": 1.5}, {}, wary)[0] == "pitch"


def test_a_label_that_drafts_must_outweigh_every_filing_label_that_fits() -> None:
    """genuine 2 outweighs free_work 1 by more than 0.6 but not recruiter 1.5: the most
    protective label that fits stays, and the explanation claims no outweighing."""
    label, why = _decide_with_words({"free_work": 1.0, "recruiter": 1.5, "genuine": 2.0}, {})
    assert label == "free_work"
    assert "outweighs" not in why
    label, why = _decide_with_words({"free_work": 1.0, "recruiter": 1.5, "genuine": 2.2}, {})
    assert label == "genuine"
    assert "outweighs free_work 1, recruiter 1.5 by more than 0.6" in why


def test_a_move_off_linkedin_or_crypto_keeps_any_ask_from_a_draft(
    clf: Classifier, tmp_path: Path
) -> None:
    """A genuine-looking ask that moves to WhatsApp is left for the user, and the veto is a
    pattern family the user can switch off."""
    text = (
        "Hi Dana, I read your post on cold-chain audits and we are piloting the same sensors "
        "at our Leeds depot. Could I ask you two questions about calibration? Easiest for me "
        "is my WhatsApp."
    )
    result = clf.classify(text, "message")
    assert result.label == "unclear", explain(result)
    assert "scam.danger_offsite" in result.why
    user = write(tmp_path / "off.jsonl", ['{"disable": "scam.danger_offsite"}'])
    assert Classifier.load(user).classify(text, "message").label == "genuine"
