set -x
O=../shared/tools/oracle.py; P=.venv/bin/python
$P $O email.txt -k 4 --methods networkx,igraph,brute > email_k4.json
$P $O alpha.csv -k 4 --methods networkx,igraph,brute > alpha_k4.json
$P $O otc.csv -k 4 --methods igraph,brute > otc_k4.json
$P $O ../shared/data/real/snap/wiki-Vote.txt -k 4 --methods igraph,brute > wikivote_k4.json
$P $O ../shared/data/real/snap/CollegeMsg.txt -k 4 --methods igraph,brute > college_k4.json
$P $O ../shared/data/real/konect-advogato/out.advogato -k 4 --methods igraph,brute > advogato_k4.json
$P $O rfa_nonempty.csv -k 4 --header yes --methods igraph,brute > rfa_k4.json
$P $O alpha.csv -k 5 --methods igraph --timeout 900 > alpha_k5.json
$P $O otc.csv -k 5 --methods igraph --timeout 900 > otc_k5.json
$P $O slashdot.txt -k 3 --methods igraph,brute --timeout 900 > slashdot_k3.json
