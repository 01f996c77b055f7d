using TorchSharp;
MineRefine.Native.TorchNativeFix.Apply();
Console.WriteLine(torch.ones(2, 3).sum().item<float>());
