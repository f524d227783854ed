"""Municipality numbers that changed, so a municipality's series runs on across reforms.

Each line reads «old number, old name > new number, new name» for the year the new number
came into use. A merged municipality points at the one it became part of; a municipality
split between several (Snillfjord 2020, Tysfjord 2020) points at the one that took most
of it. The import links each historic number's ``Place`` to the next one (``successor``)
and sets the years it was valid.

PARTIAL, typed by hand from SSB's lists of regional changes (ssb.no/klass, «Kommuneinndeling»):
the 2020 and 2024 reforms in full for the numbers that changed, the 2017–2019 changes
that appear in the test files (Vestfold 2017/2018, Trøndelag 2018, Rindal 2019), and
nothing before 2017. Numbers that did not change are not listed. Counties are not mapped.
Check against SSB before relying on a line that is not covered by the tests.
"""

from __future__ import annotations

import re
from functools import cache

_TABLES = {
    2017: """
0706 Sandefjord > 0710 Sandefjord
0719 Andebu > 0710 Sandefjord
0720 Stokke > 0710 Sandefjord
""",
    2018: """
0702 Holmestrand > 0715 Holmestrand
0714 Hof > 0715 Holmestrand
0709 Larvik > 0712 Larvik
0728 Lardal > 0712 Larvik
0722 Nøtterøy > 0729 Færder
0723 Tjøme > 0729 Færder
1601 Trondheim > 5001 Trondheim
1612 Hemne > 5011 Hemne
1613 Snillfjord > 5012 Snillfjord
1617 Hitra > 5013 Hitra
1620 Frøya > 5014 Frøya
1621 Ørland > 5015 Ørland
1622 Agdenes > 5016 Agdenes
1624 Rissa > 5054 Indre Fosen
1627 Bjugn > 5017 Bjugn
1630 Åfjord > 5018 Åfjord
1632 Roan > 5019 Roan
1633 Osen > 5020 Osen
1634 Oppdal > 5021 Oppdal
1635 Rennebu > 5022 Rennebu
1636 Meldal > 5023 Meldal
1638 Orkdal > 5024 Orkdal
1640 Røros > 5025 Røros
1644 Holtålen > 5026 Holtålen
1648 Midtre Gauldal > 5027 Midtre Gauldal
1653 Melhus > 5028 Melhus
1657 Skaun > 5029 Skaun
1662 Klæbu > 5030 Klæbu
1663 Malvik > 5031 Malvik
1664 Selbu > 5032 Selbu
1665 Tydal > 5033 Tydal
1702 Steinkjer > 5004 Steinkjer
1703 Namsos > 5005 Namsos
1711 Meråker > 5034 Meråker
1714 Stjørdal > 5035 Stjørdal
1717 Frosta > 5036 Frosta
1718 Leksvik > 5054 Indre Fosen
1719 Levanger > 5037 Levanger
1721 Verdal > 5038 Verdal
1724 Verran > 5039 Verran
1725 Namdalseid > 5040 Namdalseid
1736 Snåsa > 5041 Snåsa
1738 Lierne > 5042 Lierne
1739 Røyrvik > 5043 Røyrvik
1740 Namsskogan > 5044 Namsskogan
1742 Grong > 5045 Grong
1743 Høylandet > 5046 Høylandet
1744 Overhalla > 5047 Overhalla
1748 Fosnes > 5048 Fosnes
1749 Flatanger > 5049 Flatanger
1750 Vikna > 5050 Vikna
1751 Nærøy > 5051 Nærøy
1755 Leka > 5052 Leka
1756 Inderøy > 5053 Inderøy
""",
    2019: """
1567 Rindal > 5061 Rindal
""",
    2020: """
0101 Halden > 3001 Halden
0104 Moss > 3002 Moss
0105 Sarpsborg > 3003 Sarpsborg
0106 Fredrikstad > 3004 Fredrikstad
0111 Hvaler > 3011 Hvaler
0118 Aremark > 3012 Aremark
0119 Marker > 3013 Marker
0121 Rømskog > 3026 Aurskog-Høland
0122 Trøgstad > 3014 Indre Østfold
0123 Spydeberg > 3014 Indre Østfold
0124 Askim > 3014 Indre Østfold
0125 Eidsberg > 3014 Indre Østfold
0127 Skiptvet > 3015 Skiptvet
0128 Rakkestad > 3016 Rakkestad
0135 Råde > 3017 Råde
0136 Rygge > 3002 Moss
0137 Våler > 3018 Våler
0138 Hobøl > 3014 Indre Østfold
0211 Vestby > 3019 Vestby
0213 Ski > 3020 Nordre Follo
0214 Ås > 3021 Ås
0215 Frogn > 3022 Frogn
0216 Nesodden > 3023 Nesodden
0217 Oppegård > 3020 Nordre Follo
0219 Bærum > 3024 Bærum
0220 Asker > 3025 Asker
0221 Aurskog-Høland > 3026 Aurskog-Høland
0226 Sørum > 3030 Lillestrøm
0227 Fet > 3030 Lillestrøm
0228 Rælingen > 3027 Rælingen
0229 Enebakk > 3028 Enebakk
0230 Lørenskog > 3029 Lørenskog
0231 Skedsmo > 3030 Lillestrøm
0233 Nittedal > 3031 Nittedal
0234 Gjerdrum > 3032 Gjerdrum
0235 Ullensaker > 3033 Ullensaker
0236 Nes > 3034 Nes
0237 Eidsvoll > 3035 Eidsvoll
0238 Nannestad > 3036 Nannestad
0239 Hurdal > 3037 Hurdal
0402 Kongsvinger > 3401 Kongsvinger
0403 Hamar > 3403 Hamar
0412 Ringsaker > 3411 Ringsaker
0415 Løten > 3412 Løten
0417 Stange > 3413 Stange
0418 Nord-Odal > 3414 Nord-Odal
0419 Sør-Odal > 3415 Sør-Odal
0420 Eidskog > 3416 Eidskog
0423 Grue > 3417 Grue
0425 Åsnes > 3418 Åsnes
0426 Våler > 3419 Våler
0427 Elverum > 3420 Elverum
0428 Trysil > 3421 Trysil
0429 Åmot > 3422 Åmot
0430 Stor-Elvdal > 3423 Stor-Elvdal
0432 Rendalen > 3424 Rendalen
0434 Engerdal > 3425 Engerdal
0436 Tolga > 3426 Tolga
0437 Tynset > 3427 Tynset
0438 Alvdal > 3428 Alvdal
0439 Folldal > 3429 Folldal
0441 Os > 3430 Os
0501 Lillehammer > 3405 Lillehammer
0502 Gjøvik > 3407 Gjøvik
0511 Dovre > 3431 Dovre
0512 Lesja > 3432 Lesja
0513 Skjåk > 3433 Skjåk
0514 Lom > 3434 Lom
0515 Vågå > 3435 Vågå
0516 Nord-Fron > 3436 Nord-Fron
0517 Sel > 3437 Sel
0519 Sør-Fron > 3438 Sør-Fron
0520 Ringebu > 3439 Ringebu
0521 Øyer > 3440 Øyer
0522 Gausdal > 3441 Gausdal
0528 Østre Toten > 3442 Østre Toten
0529 Vestre Toten > 3443 Vestre Toten
0532 Jevnaker > 3053 Jevnaker
0533 Lunner > 3054 Lunner
0534 Gran > 3446 Gran
0536 Søndre Land > 3447 Søndre Land
0538 Nordre Land > 3448 Nordre Land
0540 Sør-Aurdal > 3449 Sør-Aurdal
0541 Etnedal > 3450 Etnedal
0542 Nord-Aurdal > 3451 Nord-Aurdal
0543 Vestre Slidre > 3452 Vestre Slidre
0544 Øystre Slidre > 3453 Øystre Slidre
0545 Vang > 3454 Vang
0602 Drammen > 3005 Drammen
0604 Kongsberg > 3006 Kongsberg
0605 Ringerike > 3007 Ringerike
0612 Hole > 3038 Hole
0615 Flå > 3039 Flå
0616 Nes > 3040 Nesbyen
0617 Gol > 3041 Gol
0618 Hemsedal > 3042 Hemsedal
0619 Ål > 3043 Ål
0620 Hol > 3044 Hol
0621 Sigdal > 3045 Sigdal
0622 Krødsherad > 3046 Krødsherad
0623 Modum > 3047 Modum
0624 Øvre Eiker > 3048 Øvre Eiker
0625 Nedre Eiker > 3005 Drammen
0626 Lier > 3049 Lier
0627 Røyken > 3025 Asker
0628 Hurum > 3025 Asker
0631 Flesberg > 3050 Flesberg
0632 Rollag > 3051 Rollag
0633 Nore og Uvdal > 3052 Nore og Uvdal
0701 Horten > 3801 Horten
0704 Tønsberg > 3803 Tønsberg
0710 Sandefjord > 3804 Sandefjord
0711 Svelvik > 3005 Drammen
0712 Larvik > 3805 Larvik
0713 Sande > 3802 Holmestrand
0715 Holmestrand > 3802 Holmestrand
0716 Re > 3803 Tønsberg
0729 Færder > 3811 Færder
0805 Porsgrunn > 3806 Porsgrunn
0806 Skien > 3807 Skien
0807 Notodden > 3808 Notodden
0811 Siljan > 3812 Siljan
0814 Bamble > 3813 Bamble
0815 Kragerø > 3814 Kragerø
0817 Drangedal > 3815 Drangedal
0819 Nome > 3816 Nome
0821 Bø > 3817 Midt-Telemark
0822 Sauherad > 3817 Midt-Telemark
0826 Tinn > 3818 Tinn
0827 Hjartdal > 3819 Hjartdal
0828 Seljord > 3820 Seljord
0829 Kviteseid > 3821 Kviteseid
0830 Nissedal > 3822 Nissedal
0831 Fyresdal > 3823 Fyresdal
0833 Tokke > 3824 Tokke
0834 Vinje > 3825 Vinje
0901 Risør > 4201 Risør
0904 Grimstad > 4202 Grimstad
0906 Arendal > 4203 Arendal
0911 Gjerstad > 4211 Gjerstad
0912 Vegårshei > 4212 Vegårshei
0914 Tvedestrand > 4213 Tvedestrand
0919 Froland > 4214 Froland
0926 Lillesand > 4215 Lillesand
0928 Birkenes > 4216 Birkenes
0929 Åmli > 4217 Åmli
0935 Iveland > 4218 Iveland
0937 Evje og Hornnes > 4219 Evje og Hornnes
0938 Bygland > 4220 Bygland
0940 Valle > 4221 Valle
0941 Bykle > 4222 Bykle
1001 Kristiansand > 4204 Kristiansand
1002 Mandal > 4205 Lindesnes
1003 Farsund > 4206 Farsund
1004 Flekkefjord > 4207 Flekkefjord
1014 Vennesla > 4223 Vennesla
1017 Songdalen > 4204 Kristiansand
1018 Søgne > 4204 Kristiansand
1021 Marnardal > 4205 Lindesnes
1026 Åseral > 4224 Åseral
1027 Audnedal > 4225 Lyngdal
1029 Lindesnes > 4205 Lindesnes
1032 Lyngdal > 4225 Lyngdal
1034 Hægebostad > 4226 Hægebostad
1037 Kvinesdal > 4227 Kvinesdal
1046 Sirdal > 4228 Sirdal
1102 Sandnes > 1108 Sandnes
1129 Forsand > 1108 Sandnes
1141 Finnøy > 1103 Stavanger
1142 Rennesøy > 1103 Stavanger
1201 Bergen > 4601 Bergen
1211 Etne > 4611 Etne
1216 Sveio > 4612 Sveio
1219 Bømlo > 4613 Bømlo
1221 Stord > 4614 Stord
1222 Fitjar > 4615 Fitjar
1223 Tysnes > 4616 Tysnes
1224 Kvinnherad > 4617 Kvinnherad
1227 Jondal > 4617 Kvinnherad
1228 Odda > 4618 Ullensvang
1231 Ullensvang > 4618 Ullensvang
1232 Eidfjord > 4619 Eidfjord
1233 Ulvik > 4620 Ulvik
1234 Granvin > 4621 Voss
1235 Voss > 4621 Voss
1238 Kvam > 4622 Kvam
1241 Fusa > 4624 Bjørnafjorden
1242 Samnanger > 4623 Samnanger
1243 Os > 4624 Bjørnafjorden
1244 Austevoll > 4625 Austevoll
1245 Sund > 4626 Øygarden
1246 Fjell > 4626 Øygarden
1247 Askøy > 4627 Askøy
1251 Vaksdal > 4628 Vaksdal
1252 Modalen > 4629 Modalen
1253 Osterøy > 4630 Osterøy
1256 Meland > 4631 Alver
1259 Øygarden > 4626 Øygarden
1260 Radøy > 4631 Alver
1263 Lindås > 4631 Alver
1264 Austrheim > 4632 Austrheim
1265 Fedje > 4633 Fedje
1266 Masfjorden > 4634 Masfjorden
1401 Flora > 4602 Kinn
1411 Gulen > 4635 Gulen
1412 Solund > 4636 Solund
1413 Hyllestad > 4637 Hyllestad
1416 Høyanger > 4638 Høyanger
1417 Vik > 4639 Vik
1418 Balestrand > 4640 Sogndal
1419 Leikanger > 4640 Sogndal
1420 Sogndal > 4640 Sogndal
1421 Aurland > 4641 Aurland
1422 Lærdal > 4642 Lærdal
1424 Årdal > 4643 Årdal
1426 Luster > 4644 Luster
1428 Askvoll > 4645 Askvoll
1429 Fjaler > 4646 Fjaler
1430 Gaular > 4647 Sunnfjord
1431 Jølster > 4647 Sunnfjord
1432 Førde > 4647 Sunnfjord
1433 Naustdal > 4647 Sunnfjord
1438 Bremanger > 4648 Bremanger
1439 Vågsøy > 4602 Kinn
1441 Selje > 4649 Stad
1443 Eid > 4649 Stad
1444 Hornindal > 1577 Volda
1445 Gloppen > 4650 Gloppen
1449 Stryn > 4651 Stryn
1502 Molde > 1506 Molde
1543 Nesset > 1506 Molde
1545 Midsund > 1506 Molde
1504 Ålesund > 1507 Ålesund
1523 Ørskog > 1507 Ålesund
1529 Skodje > 1507 Ålesund
1534 Haram > 1507 Ålesund
1546 Sandøy > 1507 Ålesund
1519 Volda > 1577 Volda
1524 Norddal > 1578 Fjord
1526 Stordal > 1578 Fjord
1548 Fræna > 1579 Hustadvika
1551 Eide > 1579 Hustadvika
1571 Halsa > 5055 Heim
1805 Narvik > 1806 Narvik
1854 Ballangen > 1806 Narvik
1849 Hamarøy > 1875 Hamarøy
1850 Tysfjord > 1875 Hamarøy
1852 Tjeldsund > 5412 Tjeldsund
1902 Tromsø > 5401 Tromsø
1903 Harstad > 5402 Harstad
1911 Kvæfjord > 5411 Kvæfjord
1913 Skånland > 5412 Tjeldsund
1917 Ibestad > 5413 Ibestad
1919 Gratangen > 5414 Gratangen
1920 Lavangen > 5415 Lavangen
1922 Bardu > 5416 Bardu
1923 Salangen > 5417 Salangen
1924 Målselv > 5418 Målselv
1925 Sørreisa > 5419 Sørreisa
1926 Dyrøy > 5420 Dyrøy
1927 Tranøy > 5421 Senja
1928 Torsken > 5421 Senja
1929 Berg > 5421 Senja
1931 Lenvik > 5421 Senja
1933 Balsfjord > 5422 Balsfjord
1936 Karlsøy > 5423 Karlsøy
1938 Lyngen > 5424 Lyngen
1939 Storfjord > 5425 Storfjord
1940 Kåfjord > 5426 Kåfjord
1941 Skjervøy > 5427 Skjervøy
1942 Nordreisa > 5428 Nordreisa
1943 Kvænangen > 5429 Kvænangen
2002 Vardø > 5404 Vardø
2003 Vadsø > 5405 Vadsø
2004 Hammerfest > 5406 Hammerfest
2011 Kautokeino > 5430 Kautokeino
2012 Alta > 5403 Alta
2014 Loppa > 5432 Loppa
2015 Hasvik > 5433 Hasvik
2017 Kvalsund > 5406 Hammerfest
2018 Måsøy > 5434 Måsøy
2019 Nordkapp > 5435 Nordkapp
2020 Porsanger > 5436 Porsanger
2021 Karasjok > 5437 Karasjok
2022 Lebesby > 5438 Lebesby
2023 Gamvik > 5439 Gamvik
2024 Berlevåg > 5440 Berlevåg
2025 Tana > 5441 Tana
2027 Nesseby > 5442 Nesseby
2028 Båtsfjord > 5443 Båtsfjord
2030 Sør-Varanger > 5444 Sør-Varanger
5004 Steinkjer > 5006 Steinkjer
5039 Verran > 5006 Steinkjer
5005 Namsos > 5007 Namsos
5040 Namdalseid > 5007 Namsos
5048 Fosnes > 5007 Namsos
5011 Hemne > 5055 Heim
5012 Snillfjord > 5059 Orkland
5013 Hitra > 5056 Hitra
5015 Ørland > 5057 Ørland
5017 Bjugn > 5057 Ørland
5018 Åfjord > 5058 Åfjord
5019 Roan > 5058 Åfjord
5016 Agdenes > 5059 Orkland
5023 Meldal > 5059 Orkland
5024 Orkdal > 5059 Orkland
5030 Klæbu > 5001 Trondheim
5050 Vikna > 5060 Nærøysund
5051 Nærøy > 5060 Nærøysund
""",
    2024: """
3001 Halden > 3101 Halden
3002 Moss > 3103 Moss
3003 Sarpsborg > 3105 Sarpsborg
3004 Fredrikstad > 3107 Fredrikstad
3005 Drammen > 3301 Drammen
3006 Kongsberg > 3303 Kongsberg
3007 Ringerike > 3305 Ringerike
3011 Hvaler > 3110 Hvaler
3012 Aremark > 3124 Aremark
3013 Marker > 3122 Marker
3014 Indre Østfold > 3118 Indre Østfold
3015 Skiptvet > 3116 Skiptvet
3016 Rakkestad > 3120 Rakkestad
3017 Råde > 3112 Råde
3018 Våler > 3114 Våler
3019 Vestby > 3216 Vestby
3020 Nordre Follo > 3207 Nordre Follo
3021 Ås > 3218 Ås
3022 Frogn > 3214 Frogn
3023 Nesodden > 3212 Nesodden
3024 Bærum > 3201 Bærum
3025 Asker > 3203 Asker
3026 Aurskog-Høland > 3226 Aurskog-Høland
3027 Rælingen > 3224 Rælingen
3028 Enebakk > 3220 Enebakk
3029 Lørenskog > 3222 Lørenskog
3030 Lillestrøm > 3205 Lillestrøm
3031 Nittedal > 3232 Nittedal
3032 Gjerdrum > 3230 Gjerdrum
3033 Ullensaker > 3209 Ullensaker
3034 Nes > 3228 Nes
3035 Eidsvoll > 3240 Eidsvoll
3036 Nannestad > 3238 Nannestad
3037 Hurdal > 3242 Hurdal
3038 Hole > 3310 Hole
3039 Flå > 3320 Flå
3040 Nesbyen > 3322 Nesbyen
3041 Gol > 3324 Gol
3042 Hemsedal > 3326 Hemsedal
3043 Ål > 3328 Ål
3044 Hol > 3330 Hol
3045 Sigdal > 3332 Sigdal
3046 Krødsherad > 3318 Krødsherad
3047 Modum > 3316 Modum
3048 Øvre Eiker > 3314 Øvre Eiker
3049 Lier > 3312 Lier
3050 Flesberg > 3334 Flesberg
3051 Rollag > 3336 Rollag
3052 Nore og Uvdal > 3338 Nore og Uvdal
3053 Jevnaker > 3236 Jevnaker
3054 Lunner > 3234 Lunner
3801 Horten > 3901 Horten
3802 Holmestrand > 3903 Holmestrand
3803 Tønsberg > 3905 Tønsberg
3804 Sandefjord > 3907 Sandefjord
3805 Larvik > 3909 Larvik
3811 Færder > 3911 Færder
3806 Porsgrunn > 4001 Porsgrunn
3807 Skien > 4003 Skien
3808 Notodden > 4005 Notodden
3812 Siljan > 4010 Siljan
3813 Bamble > 4012 Bamble
3814 Kragerø > 4014 Kragerø
3815 Drangedal > 4016 Drangedal
3816 Nome > 4018 Nome
3817 Midt-Telemark > 4020 Midt-Telemark
3818 Tinn > 4026 Tinn
3819 Hjartdal > 4024 Hjartdal
3820 Seljord > 4022 Seljord
3821 Kviteseid > 4028 Kviteseid
3822 Nissedal > 4030 Nissedal
3823 Fyresdal > 4032 Fyresdal
3824 Tokke > 4034 Tokke
3825 Vinje > 4036 Vinje
5401 Tromsø > 5501 Tromsø
5402 Harstad > 5503 Harstad
5403 Alta > 5601 Alta
5404 Vardø > 5634 Vardø
5405 Vadsø > 5607 Vadsø
5406 Hammerfest > 5603 Hammerfest
5411 Kvæfjord > 5510 Kvæfjord
5412 Tjeldsund > 5512 Tjeldsund
5413 Ibestad > 5514 Ibestad
5414 Gratangen > 5516 Gratangen
5415 Lavangen > 5518 Lavangen
5416 Bardu > 5520 Bardu
5417 Salangen > 5522 Salangen
5418 Målselv > 5524 Målselv
5419 Sørreisa > 5526 Sørreisa
5420 Dyrøy > 5528 Dyrøy
5421 Senja > 5530 Senja
5422 Balsfjord > 5532 Balsfjord
5423 Karlsøy > 5534 Karlsøy
5424 Lyngen > 5536 Lyngen
5425 Storfjord > 5538 Storfjord
5426 Kåfjord > 5540 Kåfjord
5427 Skjervøy > 5542 Skjervøy
5428 Nordreisa > 5544 Nordreisa
5429 Kvænangen > 5546 Kvænangen
5430 Kautokeino > 5612 Kautokeino
5432 Loppa > 5614 Loppa
5433 Hasvik > 5616 Hasvik
5434 Måsøy > 5618 Måsøy
5435 Nordkapp > 5620 Nordkapp
5436 Porsanger > 5622 Porsanger
5437 Karasjok > 5610 Karasjok
5438 Lebesby > 5624 Lebesby
5439 Gamvik > 5626 Gamvik
5440 Berlevåg > 5630 Berlevåg
5441 Tana > 5628 Tana
5442 Nesseby > 5636 Nesseby
5443 Båtsfjord > 5632 Båtsfjord
5444 Sør-Varanger > 5605 Sør-Varanger
1507 Ålesund > 1508 Ålesund
""",
}

_LINE = re.compile(r"^(\d{4}) (.+?) > (\d{4}) (.+)$")


@cache
def _changes() -> dict[str, tuple[str, str, int]]:
    """old number → (new number, new name, year the new number came into use)."""
    changes: dict[str, tuple[str, str, int]] = {}
    for year, table in _TABLES.items():
        for line in table.strip().splitlines():
            match = _LINE.match(line.strip())
            if match is None:  # pragma: no cover - a typing error in the table
                raise ValueError(f"reforms {year}: cannot read {line!r}")
            old, _old_name, new, new_name = match.groups()
            if old in changes:  # pragma: no cover
                raise ValueError(f"reforms {year}: {old} is listed twice")
            changes[old] = (new, new_name, year)
    return changes


@cache
def _starts() -> dict[str, int]:
    return {new: year for new, _name, year in _changes().values()}


def successor(code: str) -> tuple[str, str, int] | None:
    """(next number, its name, the year it took over) for a municipality number that was
    replaced, or None: ``successor("0532")`` → ("3053", "Jevnaker", 2020)."""
    return _changes().get(code)


def current(code: str) -> str:
    """The number a municipality has today: ``current("0532")`` → "3236"."""
    seen = set()
    while (step := successor(code)) is not None and code not in seen:
        seen.add(code)
        code = step[0]
    return code


def valid_from(code: str) -> int | None:
    """The year a number came into use, when a change in the table introduced it."""
    return _starts().get(code)


@cache
def current_municipalities() -> dict[str, str]:
    """Name → number for the numbers in the table that are still in use, for files that
    name places without numbers. Names two of them share are left out."""
    changes = _changes()
    names: dict[str, set[str]] = {}
    for new, name, _year in changes.values():
        if new not in changes:
            names.setdefault(name, set()).add(new)
    return {name: next(iter(codes)) for name, codes in names.items() if len(codes) == 1}


# Municipalities of today that share a name and whose numbers did not change in the
# reforms above, so the table alone does not know them (SSB's list of municipalities).
# Typed by hand and partial, like the table.
SHARED_NAMES = {
    "Herøy": {"1515": "Herøy (Møre og Romsdal)", "1818": "Herøy (Nordland)"},
    # In the table as two current numbers; named here with their counties.
    "Våler": {"3114": "Våler (Østfold)", "3419": "Våler (Innlandet)"},
}


@cache
def ambiguous_names() -> dict[str, dict[str, str]]:
    """Lower-case name → {number: name with its county} for names of today that two or
    more municipalities carry: a file that names the place only must not be read as one of
    them by guess. From the table (two current numbers under one name) and SHARED_NAMES."""
    changes = _changes()
    names: dict[str, dict[str, str]] = {}
    for new, name, _year in changes.values():
        if new not in changes:
            names.setdefault(name, {})[new] = name
    found = {name.lower(): codes for name, codes in names.items() if len(codes) > 1}
    for name, codes in SHARED_NAMES.items():
        found[name.lower()] = {**found.get(name.lower(), {}), **codes}
    return found
