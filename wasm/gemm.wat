;; The GEMM macro-kernel of src/tensor/kernels/gemm.ts in WebAssembly SIMD (f64x2), bit-identical
;; to the TypeScript micro-kernel: each C entry accumulates a*b over p in the same order, one
;; rounded multiply then one rounded add (wasm has no implicit FMA), then is scaled by alpha.
;; Built by `npm run build:wasm` (wabt's wat2wasm) into gemm.wasm, which is committed.
;;
;; Memory (float64, byte offsets): packed A block at 0 (MC*KC = 128*256), packed B panel at
;; 262144 (KC*NC = 256*512), and the alpha-scaled C block at 1310720 (MC rows of NC = 512
;; entries, so a row is 4096 bytes). The caller packs A and B exactly as gemm.ts does (A in
;; 4-row slivers, B in 4-column slivers, zero-padded) and adds the C block into its own C.
(module
  (memory (export "memory") 30)
  (func (export "macro") (param $mc i32) (param $nc i32) (param $kc i32) (param $alpha f64)
    (local $jr i32) (local $ir i32) (local $p i32)
    (local $ai i32) (local $bi i32) (local $bBase i32) (local $ct i32)
    (local $a v128) (local $b0 v128) (local $b1 v128) (local $al v128)
    (local $c0l v128)
    (local $c0r v128)
    (local $c1l v128)
    (local $c1r v128)
    (local $c2l v128)
    (local $c2r v128)
    (local $c3l v128)
    (local $c3r v128)
    (local.set $al (f64x2.splat (local.get $alpha)))
    (local.set $jr (i32.const 0))
    (block $jdone
      (loop $jloop
        (br_if $jdone (i32.ge_s (local.get $jr) (local.get $nc)))
        ;; B sliver jr/4 starts at (jr/4)*kc*4 doubles = jr*kc*8 bytes
        (local.set $bBase (i32.add (i32.const 262144) (i32.shl (i32.mul (local.get $jr) (local.get $kc)) (i32.const 3))))
        (local.set $ir (i32.const 0))
        (block $idone
          (loop $iloop
            (br_if $idone (i32.ge_s (local.get $ir) (local.get $mc)))
            (local.set $c0l (v128.const i64x2 0 0))
            (local.set $c0r (v128.const i64x2 0 0))
            (local.set $c1l (v128.const i64x2 0 0))
            (local.set $c1r (v128.const i64x2 0 0))
            (local.set $c2l (v128.const i64x2 0 0))
            (local.set $c2r (v128.const i64x2 0 0))
            (local.set $c3l (v128.const i64x2 0 0))
            (local.set $c3r (v128.const i64x2 0 0))
            (local.set $ai (i32.shl (i32.mul (local.get $ir) (local.get $kc)) (i32.const 3)))
            (local.set $bi (local.get $bBase))
            (local.set $p (local.get $kc))
            (block $pdone
              (loop $ploop
                (br_if $pdone (i32.eqz (local.get $p)))
                (local.set $b0 (v128.load (local.get $bi)))
                (local.set $b1 (v128.load offset=16 (local.get $bi)))
                (local.set $a (v128.load64_splat (local.get $ai)))
                (local.set $c0l (f64x2.add (local.get $c0l) (f64x2.mul (local.get $a) (local.get $b0))))
                (local.set $c0r (f64x2.add (local.get $c0r) (f64x2.mul (local.get $a) (local.get $b1))))
                (local.set $a (v128.load64_splat offset=8 (local.get $ai)))
                (local.set $c1l (f64x2.add (local.get $c1l) (f64x2.mul (local.get $a) (local.get $b0))))
                (local.set $c1r (f64x2.add (local.get $c1r) (f64x2.mul (local.get $a) (local.get $b1))))
                (local.set $a (v128.load64_splat offset=16 (local.get $ai)))
                (local.set $c2l (f64x2.add (local.get $c2l) (f64x2.mul (local.get $a) (local.get $b0))))
                (local.set $c2r (f64x2.add (local.get $c2r) (f64x2.mul (local.get $a) (local.get $b1))))
                (local.set $a (v128.load64_splat offset=24 (local.get $ai)))
                (local.set $c3l (f64x2.add (local.get $c3l) (f64x2.mul (local.get $a) (local.get $b0))))
                (local.set $c3r (f64x2.add (local.get $c3r) (f64x2.mul (local.get $a) (local.get $b1))))
                (local.set $ai (i32.add (local.get $ai) (i32.const 32)))
                (local.set $bi (i32.add (local.get $bi) (i32.const 32)))
                (local.set $p (i32.sub (local.get $p) (i32.const 1)))
                (br $ploop)))
            ;; C block entry (ir + i, jr + j) at 1310720 + ((ir + i)*512 + jr)*8
            (local.set $ct (i32.add (i32.const 1310720) (i32.shl (i32.add (i32.shl (local.get $ir) (i32.const 9)) (local.get $jr)) (i32.const 3))))
            (v128.store offset=0 (local.get $ct) (f64x2.mul (local.get $al) (local.get $c0l)))
            (v128.store offset=16 (local.get $ct) (f64x2.mul (local.get $al) (local.get $c0r)))
            (v128.store offset=4096 (local.get $ct) (f64x2.mul (local.get $al) (local.get $c1l)))
            (v128.store offset=4112 (local.get $ct) (f64x2.mul (local.get $al) (local.get $c1r)))
            (v128.store offset=8192 (local.get $ct) (f64x2.mul (local.get $al) (local.get $c2l)))
            (v128.store offset=8208 (local.get $ct) (f64x2.mul (local.get $al) (local.get $c2r)))
            (v128.store offset=12288 (local.get $ct) (f64x2.mul (local.get $al) (local.get $c3l)))
            (v128.store offset=12304 (local.get $ct) (f64x2.mul (local.get $al) (local.get $c3r)))
            (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
            (br $iloop)))
        (local.set $jr (i32.add (local.get $jr) (i32.const 4)))
        (br $jloop)))))
