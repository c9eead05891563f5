"""Writes golden files for the models tests from PyTorch (run with /usr/bin/python3).

Each file is a TorchScript module holding `model` (the architecture as the paper's code builds it
with nn.Sequential: MLPAutoencoder_Spheres and ConvolutionalAutoencoder of
BorgwardtLab/topological-autoencoders), an `input` batch and the eval-mode `latent` and
`reconstruction`. The C++ test loads the weights into topoembed's model and compares outputs.
"""
import sys

import torch
import torch.nn as nn


class Pair(nn.Module):
    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, x):
        return self.decoder(self.encoder(x))


class Golden(nn.Module):
    def __init__(self, model, x):
        super().__init__()
        self.model = model
        with torch.no_grad():
            latent = model.encoder(x)
            self.register_buffer("input", x)
            self.register_buffer("latent", latent.flatten(1))
            self.register_buffer("reconstruction", model.decoder(latent))

    def forward(self, x):
        return self.model(x)


def spheres():
    block = lambda i, o: [nn.Linear(i, o), nn.BatchNorm1d(o), nn.ReLU(True)]
    enc = nn.Sequential(*block(101, 32), *block(32, 32), nn.Linear(32, 2))
    dec = nn.Sequential(*block(2, 32), *block(32, 32), nn.Linear(32, 101))
    return Pair(enc, dec), torch.randn(16, 101)


def conv():
    enc = nn.Sequential(nn.Conv2d(1, 16, 3, stride=3, padding=1), nn.ReLU(True), nn.MaxPool2d(2, stride=2),
                        nn.Conv2d(16, 8, 3, stride=2, padding=1), nn.ReLU(True), nn.MaxPool2d(2, stride=1))
    dec = nn.Sequential(nn.ConvTranspose2d(8, 16, 3, stride=2), nn.ReLU(True),
                        nn.ConvTranspose2d(16, 8, 5, stride=3, padding=1), nn.ReLU(True),
                        nn.ConvTranspose2d(8, 1, 2, stride=2, padding=1), nn.Tanh())
    return Pair(enc, dec), torch.rand(4, 1, 28, 28) * 2 - 1


def main(out_dir):
    for name, build in [("spheres_mlp", spheres), ("conv", conv)]:
        torch.manual_seed(0)
        model, x = build()
        # A few training-mode passes give BatchNorm non-trivial running statistics.
        for _ in range(3):
            model(x + 0.1 * torch.randn_like(x))
        model.eval()
        torch.jit.script(Golden(model, x)).save(f"{out_dir}/{name}_golden.pt")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
