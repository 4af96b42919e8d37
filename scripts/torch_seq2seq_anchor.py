#!/usr/bin/env python3
"""Training throughput of an encoder-decoder in PyTorch on this CPU: the anchor of Seq2SeqBenchmark.

The textbook shape, sized like Carousel's: embedding -> encoder LSTM/GRU/RNN over the source ->
decoder of the same cell over SEP + target, started from the encoder's final state (Sutskever et
al. 2014) -> optional attention after the decoder (Luong et al. 2015's placement; additive score
v . tanh(Wk h_i + Wq h_j + b), Bahdanau et al. 2015, or dot h_i . h_j) -> linear softmax on
[h_j ; c_j]. Adam + L2 gradient clipping; one step = forward + backward + update on a batch of
`batch` pairs with sources of `length` tokens and targets of `length` tokens (+ the closing SEP).
Encoder and decoder have their own recurrent weights (Carousel's model.decoder_weights = separate).
--bidirectional adds a backward encoder over the reversed source, as Carousel's model.bidirectional
does: source states [h_i ; g_i], decoder states [h_j ; 0], the decoder started from the forward
encoder's state, attention over the 2H-wide states (attention size H), softmax on [h_j ; 0 ; c_j].

Setup (Debian): apt-get install -y python3-torch libopenblas0-pthread
Usage:  torch_seq2seq_anchor.py --cell lstm --hidden 64 --embed 16 --vocab 12 --length 30 --batch 64 --attention additive
Prints one line: "seq2seq_anchor ... pairs_per_s=N threads=T".
"""
import argparse, time, torch

p = argparse.ArgumentParser()
p.add_argument("--cell", default="lstm", choices=["lstm", "gru", "rnn"])
p.add_argument("--layers", type=int, default=1)
p.add_argument("--hidden", type=int, default=64)
p.add_argument("--embed", type=int, default=16)
p.add_argument("--vocab", type=int, default=12)
p.add_argument("--length", type=int, default=30)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--attention", default="none", choices=["none", "additive", "dot"])
p.add_argument("--bidirectional", action="store_true")
p.add_argument("--steps", type=int, default=20)
p.add_argument("--threads", type=int, default=0, help="0 = try 1 and 2, report the faster")
a = p.parse_args()

class Seq2Seq(torch.nn.Module):
    def __init__(self):
        super().__init__()
        cls = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[a.cell]
        self.emb = torch.nn.Embedding(a.vocab, a.embed)
        self.enc = cls(a.embed, a.hidden, num_layers=a.layers, batch_first=True)
        self.dec = cls(a.embed, a.hidden, num_layers=a.layers, batch_first=True)
        if a.bidirectional:
            self.enc_b = cls(a.embed, a.hidden, num_layers=a.layers, batch_first=True)
        u = a.hidden * (2 if a.bidirectional else 1)
        if a.attention == "additive":
            self.wk = torch.nn.Linear(u, a.hidden, bias=False)
            self.wq = torch.nn.Linear(u, a.hidden)
            self.v = torch.nn.Linear(a.hidden, 1, bias=False)
        self.out = torch.nn.Linear(u * (1 if a.attention == "none" else 2), a.vocab)

    def forward(self, src, dec_in):
        e, state = self.enc(self.emb(src))                      # [B, n, H]
        d, _ = self.dec(self.emb(dec_in), state)                # [B, m+1, H]
        if a.bidirectional:
            g, _ = self.enc_b(self.emb(src.flip(1)))
            e = torch.cat([e, g.flip(1)], -1)                   # [B, n, 2H]
            d = torch.cat([d, torch.zeros_like(d)], -1)         # [B, m+1, 2H]
        if a.attention == "none":
            return self.out(d)
        if a.attention == "dot":
            s = torch.bmm(d, e.transpose(1, 2))                 # [B, m+1, n]
        else:
            s = self.v(torch.tanh(self.wk(e).unsqueeze(1) + self.wq(d).unsqueeze(2))).squeeze(-1)
        c = torch.bmm(torch.softmax(s, -1), e)
        return self.out(torch.cat([d, c], -1))

def run(threads):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = Seq2Seq()
    opt = torch.optim.Adam(model.parameters(), 1e-2)
    sep = a.vocab - 1
    src = torch.randint(0, sep, (a.batch, a.length))
    dec_in = torch.cat([torch.full((a.batch, 1), sep), src], 1)
    tgt = torch.cat([src, torch.full((a.batch, 1), sep)], 1)
    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(src, dec_in).reshape(-1, a.vocab), tgt.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
    for _ in range(3):
        step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    return a.steps * a.batch / (time.perf_counter() - t0)

best = max(((run(t), t) for t in ([a.threads] if a.threads else [1, 2])))
print(f"seq2seq_anchor cell={a.cell} layers={a.layers} hidden={a.hidden} length={a.length} batch={a.batch} "
      f"attention={a.attention} bidirectional={a.bidirectional} pairs_per_s={best[0]:.1f} threads={best[1]}")
