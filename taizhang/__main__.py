from taizhang.cli import main

main()
